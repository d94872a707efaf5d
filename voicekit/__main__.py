"""`python -m voicekit`: the same as the `voicekit` command."""

from voicekit.cli import main

raise SystemExit(main())
