"""The one door from the interfaces to the services: who is here and what they may do."""
