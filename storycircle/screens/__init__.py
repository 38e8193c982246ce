"""The app's screens, one module each. They call services and get models back."""
