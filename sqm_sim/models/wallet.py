"""Share of wallet: how much of their purchases a retained customer gives the firm
(pure functions).

A customer who stays need not buy as much as before: satisfaction level drives share of
wallet, nonlinearly (Keiningham, Perkins-Munn & Evans 2003; Cooil, Keiningham, Aksoy &
Hsu 2007, J. Marketing 71(1)). The model keeps one unit per order and stretches the time
between orders instead:

    w(S) = floor + (1 - floor) * S ** exponent          share of wallet, in (0, 1]
    gap  = purchase gap drawn at full share of wallet / w(S)

so a customer at satisfaction S orders at rate w(S) per mean purchase cycle. The power
makes the relation convex: share of wallet rises fastest near the top of the scale,
where the completely satisfied concentrate their purchases (Keiningham et al. 2003 and
Cooil et al. 2007 found it nonlinear; the exponent and the floor are assumptions).

The hidden cost of the orders not placed: a gap drawn for a customer at share w would,
at the share ``w_f`` a flawless experience gives, have held ``w_f / w`` orders in
expectation instead of one, so each order books

    orders lost to quality = max(0, w_f / w - 1)

the same comparison with a flawless experience as the expected customers lost to quality.
"""

from __future__ import annotations


def share_of_wallet(satisfaction: float, floor: float, exponent: float) -> float:
    """w(S) = floor + (1 - floor) * S ** exponent: the share of a customer's purchases the
    firm gets at satisfaction S (0-1 scale); 1 at S = 1, ``floor`` at S = 0 (exponent > 0)."""
    return floor + (1.0 - floor) * satisfaction**exponent


def orders_lost_per_order(share: float, share_if_flawless: float) -> float:
    """Expected orders a customer at share of wallet ``share`` does not place during one
    purchase gap that they would place at ``share_if_flawless``: max(0, w_f / w - 1)."""
    lost = share_if_flawless / share - 1.0
    return lost if lost > 0.0 else 0.0
