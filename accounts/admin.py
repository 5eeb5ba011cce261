from django.contrib import admin

from accounts.models import Invitation, TwoFactorDevice
from accounts.two_factor import two_factor_reset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are sent and accepted through the product (audited)."""

    list_display = ["email", "unit", "role", "created_at", "expires_at", "accepted_at"]
    exclude = ["nonce"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    """Who has two-step sign-in on; deleting a row turns it off for someone who lost their
    phone (they sign in with the password and can turn it on again)."""

    list_display = ["user", "confirmed_at", "created_at"]
    search_fields = ["user__username"]
    exclude = ["secret"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def delete_model(self, request, obj) -> None:
        two_factor_reset(actor=request.user, user=obj.user)

    def delete_queryset(self, request, queryset) -> None:
        for device in queryset.select_related("user"):
            two_factor_reset(actor=request.user, user=device.user)
