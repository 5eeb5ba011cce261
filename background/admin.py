from django.contrib import admin

from background.models import JobLock, PendingJob


@admin.register(PendingJob)
class PendingJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "job", "args", "attempts", "last_error"]
    readonly_fields = ["job", "args", "created_at", "attempts", "last_error"]


@admin.register(JobLock)
class JobLockAdmin(admin.ModelAdmin):
    list_display = ["name", "holder", "acquired_at", "expires_at"]
    readonly_fields = ["name", "holder", "acquired_at", "expires_at"]
