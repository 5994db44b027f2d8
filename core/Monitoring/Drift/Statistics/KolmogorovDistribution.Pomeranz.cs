namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>
/// Pomeranz's recursion for Pr(Dₙ ≤ x), with the NumPy slicing and convolution it is written in (ported as SciPy has it).
/// </summary>
public static partial class KolmogorovDistribution
{
    private static (int J1, int J2) PomeranzBounds(int i, int n, int ll, int ceilf, int roundf)
    {
        int j1, j2;
        if (i == 0)
        {
            j1 = -ll - ceilf - 1;
            j2 = ll + ceilf - 1;
        }
        else
        {
            var ip1div2 = (i + 1) / 2;
            var ip1mod2 = (i + 1) % 2;
            if (ip1mod2 == 0)
            {
                if (ip1div2 == n + 1)
                {
                    j1 = n - ll - ceilf - 1;
                    j2 = n + ll + ceilf - 1;
                }
                else
                {
                    j1 = ip1div2 - 1 - ll - roundf - 1;
                    j2 = ip1div2 + ll - 1 + ceilf - 1;
                }
            }
            else
            {
                j1 = ip1div2 - 1 - ll - 1;
                j2 = ip1div2 + ll + roundf - 1;
            }
        }

        return (Math.Max(j1 + 2, 0), Math.Min(j2, n));
    }

    /// <summary>Pr(Dₙ ≤ x) by Pomeranz's recursion (SciPy's <c>_kolmogn_Pomeranz</c>).</summary>
    private static double Pomeranz(int n, double x)
    {
        var t = n * x;
        var ll = (int)Math.Floor(t);
        var f = 1.0 * (t - ll);
        var g = Math.Min(f, 1.0 - f);
        var ceilf = f > 0 ? 1 : 0;
        var roundf = f > 0.5 ? 1 : 0;
        var npwrs = 2 * (ll + 1);
        var gpower = new double[npwrs];
        var twogpower = new double[npwrs];
        var onem2gpower = new double[npwrs];
        gpower[0] = 1.0;
        twogpower[0] = 1.0;
        onem2gpower[0] = 1.0;
        var exponent = 0;
        double gOverN = g / n, twoGOverN = 2 * g / n, oneMinusTwoGOverN = (1 - (2 * g)) / n;
        for (var m = 1; m < npwrs; m++)
        {
            gpower[m] = gpower[m - 1] * gOverN / m;
            twogpower[m] = twogpower[m - 1] * twoGOverN / m;
            onem2gpower[m] = onem2gpower[m - 1] * oneMinusTwoGOverN / m;
        }

        var v0 = new double[npwrs];
        var v1 = new double[npwrs];
        v1[0] = 1;
        int v0s = 0, v1s = 0;
        var (j1, j2) = PomeranzBounds(0, n, ll, ceilf, roundf);
        for (var i = 1; i < (2 * n) + 2; i++)
        {
            var k1 = j1;
            (v0, v1) = (v1, v0);
            (v0s, v1s) = (v1s, v0s);
            Array.Clear(v1);
            (j1, j2) = PomeranzBounds(i, n, ll, ceilf, roundf);
            var pwrs = i == 1 || i == (2 * n) + 1 ? gpower : (i % 2 == 1 ? twogpower : onem2gpower);
            var ln2 = j2 - k1 + 1;
            if (ln2 > 0)
            {
                var segment = PythonSlice(v0, k1 - v0s, k1 - v0s + ln2);
                var kernel = PythonSlice(pwrs, 0, ln2);
                var conv = Convolve(segment, kernel);
                var convStart = j1 - k1;
                var convLen = j2 - j1 + 1;
                var taken = PythonSlice(conv, convStart, convStart + convLen);
                Array.Copy(taken, v1, Math.Min(taken.Length, v1.Length));
                var max = v1.Max();
                if (max > 0 && max < Em128)
                {
                    for (var q = 0; q < v1.Length; q++)
                    {
                        v1[q] *= Ep128;
                    }

                    exponent -= E128;
                }

                v1s = v0s + j1 - k1;
            }
        }

        var answer = v1[n - v1s];
        for (var m = 1; m <= n; m++)
        {
            if (Math.Abs(answer) > Ep128)
            {
                answer *= Em128;
                exponent += E128;
            }

            answer *= m;
        }

        if (exponent != 0)
        {
            answer = Math.ScaleB(answer, exponent);
        }

        return Clip(answer);
    }

    /// <summary>a[start:stop] with Python's slice semantics (negative indexes count from the end; bounds clamp).</summary>
    private static double[] PythonSlice(double[] a, int start, int stop)
    {
        static int Normalise(int index, int length) => index < 0 ? Math.Max(index + length, 0) : Math.Min(index, length);

        var from = Normalise(start, a.Length);
        var to = Normalise(stop, a.Length);
        return to <= from ? [] : a[from..to];
    }

    /// <summary>numpy.convolve(a, v) in 'full' mode.</summary>
    private static double[] Convolve(double[] a, double[] v)
    {
        if (a.Length == 0 || v.Length == 0)
        {
            return [];
        }

        var result = new double[a.Length + v.Length - 1];
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = 0; j < v.Length; j++)
            {
                result[i + j] += a[i] * v[j];
            }
        }

        return result;
    }
}
