"""The shared question bank: propose, search, approve or reject."""
