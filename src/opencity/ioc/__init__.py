"""The IOC's window on the city's numbers: the public statistics page (and, later, the live
console and the digital reports). Figures come from ``reports.kpi`` only."""
