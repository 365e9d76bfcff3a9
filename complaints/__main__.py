from complaints.cli import main

raise SystemExit(main())
