from flxd.cli import main

raise SystemExit(main())
