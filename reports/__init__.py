"""The command lines over analytics and decisions: rankings, awards and usage reports, with the
embargo and the announced figures that decisions keeps (`python -m reports`)."""
