from complaints.ops.cli import main

raise SystemExit(main())
