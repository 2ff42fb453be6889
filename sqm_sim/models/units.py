"""Time units shared by the whole model.

The simulation clock runs in **days**. Reporting periods are calendar months of
``DAYS_PER_MONTH`` days (a Julian year divided by twelve), so that 12 periods are one year
for discounting.
"""

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0
MINUTES_PER_DAY = 24.0 * 60.0
