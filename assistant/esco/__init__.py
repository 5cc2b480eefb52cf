"""ESCO, the European classification of occupations and skills: import, labels and index entries."""

ATTRIBUTION = "This service uses the ESCO classification of the European Commission."
