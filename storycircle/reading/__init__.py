"""The library a reader opens, and how its stories meet through related tags."""
