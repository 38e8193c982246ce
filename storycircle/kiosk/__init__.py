"""The shared kiosk's policy, free of Textual: the facilitator's PIN, delays, the idle clock."""
