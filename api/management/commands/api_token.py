"""``manage.py api_token issue USERNAME --name NAME [--days N]`` prints a new API token once;
``api_token list [USERNAME]`` lists tokens; ``api_token revoke PREFIX`` revokes one."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from api.models import ApiToken
from api.services import api_token_issue, api_token_revoke
from audit.services import current_source


class Command(BaseCommand):
    help = "Issue, list and revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Issue a token and print it (shown only once).")
        issue.add_argument("username")
        issue.add_argument("--name", required=True, help="What the token is for.")
        issue.add_argument("--days", type=int, help="Expire after this many days.")
        listing = sub.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args, **options) -> None:
        token = current_source.set("command:api_token")
        try:
            getattr(self, f"_{options['action']}")(options)
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        finally:
            current_source.reset(token)

    def _issue(self, options: dict) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user is called {options['username']!r}.")
        expires = timezone.now() + timedelta(days=options["days"]) if options["days"] else None
        issued = api_token_issue(actor=None, user=user, name=options["name"], expires_at=expires)
        self.stdout.write(issued.key)

    def _list(self, options: dict) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
        if options["username"]:
            tokens = tokens.filter(user__username=options["username"])
        for token in tokens:
            state = "active" if token.is_active else "revoked/expired"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}…\t{token.user.get_username()}\t{token.name}\t{state}\t"
                f"last used {used}"
            )

    def _revoke(self, options: dict) -> None:
        prefix = options["prefix"].rstrip("…")
        matches = list(ApiToken.objects.filter(prefix=prefix)[:2])
        if len(matches) != 1:
            raise CommandError(f"No single token has the prefix {prefix!r}.")
        api_token_revoke(actor=None, token=matches[0])
        self.stdout.write(f"Revoked {prefix}…")
