"""Stories in and out: importing from other tools, exporting to files and booklets."""
