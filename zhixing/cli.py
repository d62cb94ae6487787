"""The `zhixing` console script: Django's manage.py under the project's name.

`zhixing demo`, `zhixing verify-log`, `zhixing create-token` … are management commands;
dashes in a command name are accepted as a convenience (`verify-log` = `verify_log`).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "zhixing"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
