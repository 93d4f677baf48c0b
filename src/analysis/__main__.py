from analysis.pipeline.cli import main

raise SystemExit(main())
