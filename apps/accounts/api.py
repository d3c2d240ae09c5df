"""Sign-up, sign-in and personal tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.db.models import QuerySet
from django.middleware.csrf import get_token
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.throttling import SettingsScopedRateThrottle

from . import services
from .authentication import request_user
from .models import ApiToken
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenSerializer,
    CsrfSerializer,
    LoginSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    RegisterSerializer,
    UserSerializer,
)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token from POST /api/v1/auth/tokens/.",
        }


class AnonymousFormView(APIView):
    """A form a signed-out person submits (sign-up, sign-in, reset). CSRF is checked even without
    a session, so another site cannot sign a visitor into an account of its choosing; clients get
    the cookie from GET /api/v1/auth/csrf first."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [SettingsScopedRateThrottle]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        SessionAuthentication().enforce_csrf(request)


class CsrfView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        summary="Get a CSRF token",
        description="Sets the CSRF cookie and returns its value; send it as `X-CSRFToken` on writes.",
        responses=CsrfSerializer,
    )
    def get(self, request: Request) -> Response:
        return Response({"csrf_token": get_token(request)})


class RegisterView(AnonymousFormView):
    throttle_scope = "register"

    @extend_schema(
        summary="Create an account",
        description="Creates the account and signs it in with a session cookie.",
        request=RegisterSerializer,
        responses={201: UserSerializer},
    )
    def post(self, request: Request) -> Response:
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(AnonymousFormView):
    throttle_scope = "login"

    @extend_schema(
        summary="Sign in",
        description="Starts a session (cookie). Wrong credentials answer 401 without saying which part was wrong.",
        request=LoginSerializer,
        responses={200: UserSerializer},
    )
    def post(self, request: Request) -> Response:
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=data.validated_data["email"].lower(),
            password=data.validated_data["password"],
        )
        if user is None:
            raise AuthenticationFailed("The email or password is not correct.")
        login(request, user)
        return Response(UserSerializer(user).data)

    def get_authenticate_header(self, request: Request) -> str:
        return "Session"


class LogoutView(APIView):
    @extend_schema(
        summary="Sign out",
        description=(
            "Ends the session. The response carries `Clear-Site-Data` so the browser drops this "
            "site's cookies, caches and storage; the PWA flushes its offline outbox first."
        ),
        request=None,
        responses={204: OpenApiResponse(description="Signed out.")},
    )
    def post(self, request: Request) -> Response:
        logout(request)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


class MeView(APIView):
    @extend_schema(summary="Your account", responses=UserSerializer)
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        summary="Update your account",
        description="Change your display name or time zone. The email is fixed.",
        request=UserSerializer,
        responses=UserSerializer,
    )
    def patch(self, request: Request) -> Response:
        user = request_user(request)
        serializer = UserSerializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = list(serializer.validated_data)
        for name, value in serializer.validated_data.items():
            setattr(user, name, value)
        if fields:
            user.save(update_fields=fields)
        return Response(UserSerializer(user).data)


class PasswordChangeView(APIView):
    @extend_schema(
        summary="Change your password",
        description="Needs the current password. Your other sessions are signed out; this one stays.",
        request=PasswordChangeSerializer,
        responses={204: OpenApiResponse(description="Changed.")},
    )
    def post(self, request: Request) -> Response:
        data = PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_change_password(user=request_user(request), **data.validated_data)
        update_session_auth_hash(request, request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(AnonymousFormView):
    throttle_scope = "password_reset"

    @extend_schema(
        summary="Ask for a password-reset email",
        description="Always answers 202, whether or not the address has an account.",
        request=PasswordResetSerializer,
        responses={
            202: OpenApiResponse(description="If the account exists, an email is on its way.")
        },
    )
    def post(self, request: Request) -> Response:
        data = PasswordResetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(email=data.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(AnonymousFormView):
    throttle_scope = "password_reset"

    @extend_schema(
        summary="Set a new password from a reset link",
        request=PasswordResetConfirmSerializer,
        responses={204: OpenApiResponse(description="Password set; sign in with it.")},
    )
    def post(self, request: Request) -> Response:
        data = PasswordResetConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_confirm(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Personal API tokens: `Authorization: Bearer <token>`. Stored hashed; revocable."""

    serializer_class = ApiTokenSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user=request_user(self.request), revoked_at__isnull=True)

    @extend_schema(summary="Your active tokens")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Create a token",
        description="The secret is in this response only; it is stored hashed and cannot be shown again.",
        responses={201: ApiTokenCreatedSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, raw = services.token_create(
            user=request_user(request), name=serializer.validated_data["name"]
        )
        token.token = raw  # type: ignore[attr-defined]  # exposed once to the serializer
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke a token", description="Requests with it answer 401 from now on.")
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.token_revoke(token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
