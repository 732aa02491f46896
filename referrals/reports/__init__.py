"""The branch admin's reports (issue 11): service level, peaks, the referral funnel, people,
products, diversion and follow-ups, aggregated in the database, drawn as SVG, exported.

Reports read visits, tickets and referrals together, so they live in `referrals` (the top of the
app stack: products ← lobby ← referrals)."""
