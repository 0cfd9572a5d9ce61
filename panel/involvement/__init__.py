"""The involvement itself: what each person did for the service, and what follows from it
(recognition, support, payments). ``activities`` derives the record from the work people did."""
