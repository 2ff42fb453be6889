"""Write ``sqm_sim/config/keys.json``: every dotted key of the configuration schema and a
fingerprint of the schema's sources (see :mod:`sqm_sim.config.key_index`).

    .venv/bin/python tools/key_index.py

Run it after editing anything in ``sqm_sim/config``: until then the command line checks
``--set`` keys against the schema itself (same answers, slower start-up) and
``tests/config/test_key_index.py`` fails.
"""

from __future__ import annotations

import json

from sqm_sim.config.key_index import INDEX, index_data


def main() -> None:
    data = index_data()
    INDEX.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {INDEX} ({len(data['keys'])} keys)")


if __name__ == "__main__":
    main()
