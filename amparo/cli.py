"""The ``amparo`` console command: Django's management commands under Amparo's settings.

``amparo run``, ``amparo worker``, ``amparo demo``, ``amparo bench NAME``,
``amparo audit verify``, ``amparo keys rotate`` and every Django command
(``amparo migrate``, ``amparo check --deploy``...).
"""

import os
import sys

# These make new keys and touch no data, so they must work before any key exists:
# run them under the throw-away test profile instead of refusing for missing keys.
KEYLESS_COMMANDS = (["keys", "generate"], ["keys", "secret"])


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    if sys.argv[1:3] in KEYLESS_COMMANDS:
        os.environ["AMPARO_MODE"] = "test"
    from django.core.management import execute_from_command_line

    from amparo.envconf import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError:
        # settings already printed what is missing and how to fix it
        sys.exit(2)


if __name__ == "__main__":
    main()
