"""A vacancy's interview plan, scoring scale, timetable and invitations to candidates."""
