"""Layer implementations (pure init/apply pairs), one small file per family."""
