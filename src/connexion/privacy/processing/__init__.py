"""The record of processing activities (PDPA s.39), generated from the registries."""
