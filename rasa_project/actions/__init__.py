"""Custom actions of the GBV help assistant (served by `rasa run actions`)."""
