"""The polynomial coefficients of memlab.devices._vecmath: Chebyshev interpolants computed at
50 digits with mpmath, rounded to double, with the largest relative error each gives in the
final function (2,001 points over the reduced argument's interval, the polynomial evaluated
at 50 digits from the rounded coefficients). Prints a table: the degree used and the one
below it (why the degree was chosen), then the coefficients to paste into _vecmath.py.
Usage: ``python benchmarks/vecmath_coefficients.py`` (about 10 s).
"""
import mpmath as mp

mp.mp.dps = 50


def cheb_fit(f, a, b, n):
    """monomial coefficients (in x, low first) of the degree-n Chebyshev interpolant of f on [a, b]"""
    N = n + 1
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / N) for k in range(N)]
    xs = [(a + b) / 2 + (b - a) / 2 * t for t in nodes]
    fs = [f(x) for x in xs]
    c = [2 * mp.fsum(fs[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / N) for k in range(N)) / N for j in range(N)]
    c[0] /= 2
    # sum c_j T_j(t), t = (2x - a - b)/(b - a): build monomials in t then substitute
    T = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]
    for j in range(2, N):
        prev, prev2 = T[-1], T[-2]
        nxt = [mp.mpf(0)] + [2 * q for q in prev]
        for i, q in enumerate(prev2):
            nxt[i] -= q
        T.append(nxt)
    pt = [mp.mpf(0)] * N
    for j in range(N):
        for i, q in enumerate(T[j]):
            pt[i] += c[j] * q
    # t = alpha x + beta
    alpha, beta = 2 / (b - a), -(a + b) / (b - a)
    px = [mp.mpf(0)] * N
    for i in range(N):          # (alpha x + beta)^i
        for kk in range(i + 1):
            px[kk] += pt[i] * mp.binomial(i, kk) * alpha ** kk * beta ** (i - kk)
    return px

def horner(cs, x):
    r = mp.mpf(0)
    for q in reversed(cs):
        r = r * x + q
    return r

def report(name, f, a, b, n, final):
    cs = cheb_fit(f, a, b, n)
    csd = [float(q) for q in cs]
    worst = 0
    for k in range(2001):
        x = a + (b - a) * k / 2000
        err = abs(final(x, horner([mp.mpf(q) for q in csd], x)) - final(x, f(x))) / abs(final(x, f(x)))
        worst = max(worst, err)
    return csd, worst



L2 = mp.log(2) / 2
S2 = (3 - 2 * mp.sqrt(2)) ** 2     # the largest s^2 of vlog's reduction: s = f / (2 + f), sqrt(1/2) <= 1 + f < sqrt(2)


def q_exp(r):      # e^r = 1 + r + r^2 Q(r)
    return (mp.exp(r) - 1 - r) / r ** 2 if abs(r) > mp.mpf(10) ** -20 else mp.mpf(1) / 2 + r / 6


def w_log(z):      # log(1 + f) = 2 atanh(s) = 2 s + s z W(z), z = s^2
    if z < mp.mpf(10) ** -40:
        return mp.mpf(2) / 3 + 2 * z / 5
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) / s - 2) / z


def p_asin(z):     # asin y = y + y z P(z), z = y^2
    if z < mp.mpf(10) ** -40:
        return mp.mpf(1) / 6 + 3 * z / 40
    y = mp.sqrt(z)
    return (mp.asin(y) / y - 1) / z


CASES = [  # name in _vecmath, function, interval, degree used, the final function of (x, polynomial)
    ("_EXP_Q", q_exp, (-L2, L2), 9, lambda r, q: 1 + r + r * r * q),
    ("_LOG_W", w_log, (mp.mpf(0), S2), 6, lambda z, w: (2 + z * w) * mp.sqrt(z) if z else mp.mpf(1)),
    ("_ASIN_P", p_asin, (mp.mpf(0), mp.mpf(1) / 4), 12, lambda z, p: (1 + z * p) * mp.sqrt(z) if z else mp.mpf(1)),
]


def main():
    print(f"{'polynomial':10s} {'degree':>6s} {'max relative error':>19s}")
    chosen = {}
    for name, f, (a, b), n, final in CASES:
        for deg in (n - 1, n):
            cs, worst = report(name, f, a, b, deg, final)
            print(f"{name:10s} {deg:6d} {mp.nstr(worst, 3):>19s}" + ("   (used)" if deg == n else ""))
        chosen[name] = cs
    for name, cs in chosen.items():
        print(f"{name} = ({', '.join(repr(c) for c in cs)})")


if __name__ == "__main__":
    main()
