"""Involvement payments and expenses (issue 18): rates and rules, each person's choice, claims
for the activities panel knows they did (panel/involvement/activities.py), approval, payroll
exports and financial retention."""
