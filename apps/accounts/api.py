"""Sign-up, sign-in and personal tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.db.models import QuerySet
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, permissions, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.i18n import language_from_request
from apps.core.throttling import AccountRateThrottle, SettingsScopedRateThrottle

from . import otp, services, totp
from .authentication import request_user
from .models import ApiToken
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenSerializer,
    CsrfSerializer,
    LoginResponseSerializer,
    LoginSerializer,
    MeSerializer,
    PasswordChangedSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    RegisterSerializer,
    SignUpAcceptedSerializer,
    TotpCodeSerializer,
    TotpConfirmedSerializer,
    TotpDisableSerializer,
    TotpSetupSerializer,
    TotpVerifiedSerializer,
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


class CookieSessionScheme(OpenApiAuthenticationExtension):
    """The session cookie, as drf-spectacular describes DRF's own session authentication."""

    target_class = "apps.accounts.authentication.SessionAuthentication"
    name = "cookieAuth"
    priority = -1

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        from django.conf import settings

        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class AnonymousFormView(APIView):
    """A form a signed-out person submits (sign-up, sign-in, reset). CSRF is checked even without
    a session, so another site cannot sign a visitor into an account of its choosing; clients get
    the cookie from GET /api/v1/auth/csrf first. Throttled per client address and per account
    (the email in the body), so neither many addresses nor many accounts buy more tries."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [SettingsScopedRateThrottle, AccountRateThrottle]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        SessionAuthentication().enforce_csrf(request)


class CsrfView(APIView):
    second_factor_exempt = True
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
        description=(
            "Answers 202 the same way whether or not the email already has an account, so "
            "sign-up cannot tell anyone who uses Mastline. A new account is created and emailed "
            "a welcome; an existing one is emailed that someone tried, and nothing is created. "
            "Nobody is signed in: sign in next with POST /api/v1/auth/login."
        ),
        request=RegisterSerializer,
        responses={202: SignUpAcceptedSerializer},
    )
    def post(self, request: Request) -> Response:
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_register(
            **{"language": language_from_request(request), **data.validated_data}
        )
        return Response(
            {
                "detail": _(
                    "Your account is ready: sign in with this email and password. If the email "
                    "already had an account, we have emailed it instead."
                )
            },
            status=status.HTTP_202_ACCEPTED,
        )


class LoginView(AnonymousFormView):
    throttle_scope = "login"

    @extend_schema(
        summary="Sign in",
        description=(
            "Starts a session (cookie). Wrong credentials answer 401 without saying which part "
            "was wrong. When the account has two-step sign-in the answer says "
            "`totp_required: true`: patient data answers 403 `totp_verification_required` until "
            "a code is sent to POST /api/v1/auth/totp/verify."
        ),
        request=LoginSerializer,
        responses={200: LoginResponseSerializer},
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
            raise AuthenticationFailed(_("The email or password is not correct."))
        login(request, user)
        otp.session_signed_in(request, user)
        return Response({**UserSerializer(user).data, "totp_required": user.totp_enabled})

    def get_authenticate_header(self, request: Request) -> str:
        return "Session"


class LogoutView(APIView):
    second_factor_exempt = True  # signing out never needs a code

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
    # Who am I, and which step of two-step sign-in is missing: the app asks before a code.
    second_factor_exempt = True

    @extend_schema(summary="Your account", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user, context={"request": request}).data)

    @extend_schema(
        summary="Update your account",
        description=(
            "Change your display name, time zone or language (what your notifications and "
            "emails come in). The email is fixed."
        ),
        request=UserSerializer,
        responses=MeSerializer,
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
        return Response(MeSerializer(user, context={"request": request}).data)


def _password_changed(tokens_revoked: int, *, this_session_stays: bool) -> Response:
    """What a new password did to the account's other ways in (PasswordChangedSerializer)."""
    if this_session_stays:
        text = ngettext(
            "Password changed. Your other sessions were signed out and %(count)d API token "
            "was revoked.",
            "Password changed. Your other sessions were signed out and %(count)d API tokens "
            "were revoked.",
            tokens_revoked,
        )
    else:
        text = ngettext(
            "Password set. Every session was signed out and %(count)d API token was revoked: "
            "sign in with the new password.",
            "Password set. Every session was signed out and %(count)d API tokens were revoked: "
            "sign in with the new password.",
            tokens_revoked,
        )
    return Response(
        {
            "detail": text % {"count": tokens_revoked},
            "tokens_revoked": tokens_revoked,
            "other_sessions_signed_out": True,
        }
    )


class PasswordChangeView(APIView):
    @extend_schema(
        summary="Change your password",
        description=(
            "Needs the current password. Every API token of the account is revoked and your "
            "other sessions are signed out; this one stays. The answer says how many tokens."
        ),
        request=PasswordChangeSerializer,
        responses={200: PasswordChangedSerializer},
    )
    def post(self, request: Request) -> Response:
        data = PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revoked = services.user_change_password(user=request_user(request), **data.validated_data)
        if request.auth is None:  # a session: it stays signed in with the new password
            update_session_auth_hash(request, request_user(request))
        return _password_changed(revoked, this_session_stays=request.auth is None)


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
        description=(
            "Every session of the account is signed out and every API token revoked; the "
            "answer says how many tokens."
        ),
        request=PasswordResetConfirmSerializer,
        responses={200: PasswordChangedSerializer},
    )
    def post(self, request: Request) -> Response:
        data = PasswordResetConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _, revoked = services.password_reset_confirm(**data.validated_data)
        return _password_changed(revoked, this_session_stays=False)


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
        """Live tokens: not revoked; expired ones stay listed (with `expires_at`) to revoke."""
        return ApiToken.objects.filter(user=request_user(self.request), revoked_at__isnull=True)

    @extend_schema(summary="Your active tokens")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Create a token",
        description=(
            "The secret is in this response only; it is stored hashed and cannot be shown again. "
            "A token created from a session that passed two-step sign-in counts as verified "
            "(clinician access needs that); one created before it does not. It expires after "
            "`lifetime_days` (default 90; null: never); `expires_at` says when."
        ),
        responses={201: ApiTokenCreatedSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request_user(request)
        # Left out: the default lifetime; null: none.
        lifetime = {k: v for k, v in serializer.validated_data.items() if k == "lifetime_days"}
        token, raw = services.token_create(
            user=user,
            name=serializer.validated_data["name"],
            **lifetime,
            # A token is as verified as the session that made it (see apps.accounts.otp).
            otp_verified_at=otp.request_verified_at(request, user),
        )
        token.token = raw  # type: ignore[attr-defined]  # exposed once to the serializer
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke a token", description="Requests with it answer 401 from now on.")
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.token_revoke(token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Two-step sign-in (TOTP) --------------------------------------------------------------------


class TotpCodeView(APIView):
    """Endpoints that take a code: throttled per user, so six digits cannot be guessed."""

    second_factor_exempt = True
    throttle_classes = [SettingsScopedRateThrottle]
    throttle_scope = "totp"


@extend_schema(tags=["auth"])
class TotpStatusView(APIView):
    second_factor_exempt = True

    @extend_schema(
        summary="Your two-step sign-in",
        description=(
            "Whether TOTP is on, whether this session (or token) has passed it, whether your "
            "account needs it (a clinician on any care team), and how many recovery codes are left."
        ),
        responses=inline_serializer(
            "TotpStatus",
            # Declared inline: `required` would shadow Field.required on a Serializer class.
            fields={
                "enabled": drf_serializers.BooleanField(help_text="Two-step sign-in is on."),
                "verified": drf_serializers.BooleanField(
                    help_text="This session (or token) has passed it since it was turned on."
                ),
                "required": drf_serializers.BooleanField(
                    help_text="A clinician on a care team: clinician access needs it."
                ),
                "recovery_codes_left": drf_serializers.IntegerField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        from apps.careteam.access import holds_clinician_role

        user = request_user(request)
        return Response(
            {
                "enabled": user.totp_enabled,
                "verified": otp.request_otp_verified(request, user),
                "required": holds_clinician_role(user),
                "recovery_codes_left": services.totp_recovery_codes_left(user=user),
            }
        )


@extend_schema(tags=["auth"])
class TotpSetupView(APIView):
    second_factor_exempt = True

    @extend_schema(
        summary="Start setting up an authenticator app",
        description=(
            "Creates a new secret (replacing an unconfirmed one) and returns it with its "
            "otpauth:// URI and a QR code, in this response only. Nothing changes until "
            "POST /api/v1/auth/totp/confirm. Refused while two-step sign-in is on."
        ),
        request=None,
        responses={200: TotpSetupSerializer},
    )
    def post(self, request: Request) -> Response:
        secret, uri = services.totp_setup(user=request_user(request))
        return Response({"secret": secret, "otpauth_uri": uri, "qr_svg": totp.qr_svg(uri)})


@extend_schema(tags=["auth"])
class TotpConfirmView(TotpCodeView):
    @extend_schema(
        summary="Turn two-step sign-in on",
        description=(
            "Send the app's current code to prove it is set up. Answers the 10 one-time recovery "
            "codes, in this response only. This session counts as verified."
        ),
        request=TotpCodeSerializer,
        responses={200: TotpConfirmedSerializer},
    )
    def post(self, request: Request) -> Response:
        data = TotpCodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        now = timezone.now()
        codes = services.totp_confirm(
            user=request_user(request), code=data.validated_data["code"], now=now
        )
        if request.auth is None:  # a session, not a token
            otp.mark_session_verified(request.session, now)
        return Response({"recovery_codes": codes})


@extend_schema(tags=["auth"])
class TotpVerifyView(TotpCodeView):
    @extend_schema(
        summary="Pass two-step sign-in",
        description=(
            "The second step of signing in: a current code from the app (each code works once) "
            "or an unused recovery code. Sessions only; a token is verified when it is created "
            "from a verified session."
        ),
        request=TotpCodeSerializer,
        responses={200: TotpVerifiedSerializer},
    )
    def post(self, request: Request) -> Response:
        if request.auth is not None:
            raise otp.SessionRequired()
        data = TotpCodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request_user(request)
        now = timezone.now()
        method = services.totp_check(user=user, code=data.validated_data["code"], now=now)
        # More power, new session id: a session id learnt before this step is worth nothing.
        request.session.cycle_key()
        otp.mark_session_verified(request.session, now)
        return Response(
            {
                "verified_at": now,
                "method": method,
                "recovery_codes_left": services.totp_recovery_codes_left(user=user),
            }
        )


@extend_schema(tags=["auth"])
class TotpDisableView(TotpCodeView):
    @extend_schema(
        summary="Turn two-step sign-in off",
        description=(
            "Needs your password and a current code (or a recovery code). Unused recovery codes "
            "are deleted and your tokens stop counting as verified. A clinician then loses "
            "clinician access until they set it up again."
        ),
        request=TotpDisableSerializer,
        responses={204: OpenApiResponse(description="Turned off.")},
    )
    def post(self, request: Request) -> Response:
        data = TotpDisableSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.totp_disable(user=request_user(request), now=timezone.now(), **data.validated_data)
        otp.clear_session_verification(request.session)
        return Response(status=status.HTTP_204_NO_CONTENT)
