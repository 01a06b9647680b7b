"""What the pages of views/ are made of: loaders, widgets, tables, words and the stage."""
