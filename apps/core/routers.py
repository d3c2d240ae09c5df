from rest_framework.routers import SimpleRouter


class Router(SimpleRouter):
    """Our routes: no trailing-slash surprises, and record ids matched as UUIDs in the URL so a
    malformed id is a plain 404 and the OpenAPI schema knows the parameter's type."""

    def __init__(self) -> None:
        super().__init__(use_regex_path=False)

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if not hasattr(viewset, "lookup_value_converter"):
            viewset.lookup_value_converter = "uuid"
        return super().get_lookup_regex(viewset, lookup_prefix)
