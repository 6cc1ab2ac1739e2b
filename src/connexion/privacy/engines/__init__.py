"""The data-subject rights engines: erasure and anonymization (one engine, also run by the
retention sweep), retention rules and legal holds, and the export of everything held about a
person (access and portability)."""
