"""The classroom page (``sqm-sim app``): a what-if page and lessons in a local browser.

The page itself (:mod:`sqm_sim.app.page`, NiceGUI, the optional ``app`` extra) is thin;
the logic it shows lives in pure modules that need no web framework:

- :mod:`~sqm_sim.app.levers`: the sliders, with units and ranges from the parameter schema;
- :mod:`~sqm_sim.app.whatif`: configs from slider values, paired runs on common random
  numbers, the side-by-side table and the monthly bands;
- :mod:`~sqm_sim.app.charts`: chart options (ECharts) built from those numbers;
- :mod:`~sqm_sim.app.lessons` and ``lessons.toml``: the lesson presets, as data, and the
  findings computed from their runs (:mod:`~sqm_sim.app.findings`);
- :mod:`~sqm_sim.app.journey`: a customer of a traced run, their episodes and story;
- :mod:`~sqm_sim.app.export`: the comparison as a results folder, its report, and CSV.

Importing this package imports no web framework.
"""
