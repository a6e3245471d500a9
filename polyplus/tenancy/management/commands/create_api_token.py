from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from polyplus.tenancy import services
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import User


class Command(BaseCommand):
    help = "Create a personal API token for the user with this email and print its key (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The email address the person signs in with.")
        parser.add_argument("--name", default="command line",
                            help="What the token is for, e.g. the tool that will use it.")

    def handle(self, *args, email: str, name: str, **options):
        # A command knows no tenant: finding anyone's account needs Poly's explicit staff context.
        with staff_context(reason=f"create_api_token command for {email}"):
            user = User.objects.filter(email__iexact=email.strip()).first()
            if user is None:
                raise CommandError(f"No user has the email address {email!r}.")
            try:
                _token, key = services.api_token_create(user=user, name=name)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            except PermissionDenied as exc:
                raise CommandError(f"{email}: {exc}") from None
        self.stdout.write(key)
