from django.urls import path

from apps.core.routers import Router

from . import api

router = Router()
router.register("tokens", api.ApiTokenViewSet, basename="token")

urlpatterns = [
    path("csrf", api.CsrfView.as_view(), name="auth-csrf"),
    path("register", api.RegisterView.as_view(), name="auth-register"),
    path("login", api.LoginView.as_view(), name="auth-login"),
    path("logout", api.LogoutView.as_view(), name="auth-logout"),
    path("me", api.MeView.as_view(), name="auth-me"),
    path("password/change", api.PasswordChangeView.as_view(), name="auth-password-change"),
    path("password/reset", api.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "password/reset/confirm",
        api.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("totp", api.TotpStatusView.as_view(), name="auth-totp"),
    path("totp/setup", api.TotpSetupView.as_view(), name="auth-totp-setup"),
    path("totp/confirm", api.TotpConfirmView.as_view(), name="auth-totp-confirm"),
    path("totp/verify", api.TotpVerifyView.as_view(), name="auth-totp-verify"),
    path("totp/disable", api.TotpDisableView.as_view(), name="auth-totp-disable"),
    *router.urls,
]
