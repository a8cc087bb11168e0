"""The Textual app. The only part of the package that imports Textual."""
