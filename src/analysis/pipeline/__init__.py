"""The pipeline: from parameters to a finished, checked build.

- :mod:`~analysis.pipeline.parameters`: ``BuildParameters``, the one parameter object.
- :mod:`~analysis.pipeline.build`: the build (pre-flight, notebooks, assembly, atomic swap).
- :mod:`~analysis.pipeline.validated`: the validated survey, written once by the build for its notebooks.
- :mod:`~analysis.pipeline.workers`: running notebooks with papermill; the pool of warm workers.
- :mod:`~analysis.pipeline.cache`: the incremental build's keys and cached chapters.
- :mod:`~analysis.pipeline.kernels`: warm Jupyter kernels for the notebooks.
- :mod:`~analysis.pipeline.notebook`: what a theme notebook calls (``ThemeNotebook``).
- :mod:`~analysis.pipeline.stored_notebooks`: the generated cells of notebooks/ and their refresh.
- :mod:`~analysis.pipeline.calibration`: claims on noise and synthetic exports (``make calibrate``).
- :mod:`~analysis.pipeline.explore`: exploring in JupyterLab (``explore.open(...).table(item, by=...)``).
- :mod:`~analysis.pipeline.explore_table`: one protected, tested breakdown and its HTML.
- :mod:`~analysis.pipeline.explore_controls`: the exploration notebook's controls (ipywidgets) over ``survey.table``.
- :mod:`~analysis.pipeline.analyses`: declared extra analyses (a YAML file of breakdowns) read and computed.
- :mod:`~analysis.pipeline.cli`: ``python -m analysis``.
- :mod:`~analysis.pipeline.cli_coding`: the handlers of ``python -m analysis coding``.
- :mod:`~analysis.pipeline.weights`: ``python -m analysis weights``, raking weights from a margins file.
- :mod:`~analysis.pipeline.workforce`: the report section "Who took part, against the workforce" (``--margins``).

The top layer: it may import every other.
"""
