namespace Serverless.Core.Monitoring.Drift.Statistics;

/// <summary>The Pelz–Good asymptotic expansion of Pr(Dₙ ≤ x) (for large n), and the constants it needs.</summary>
public static partial class KolmogorovDistribution
{
    private const double MinLog = -708;
    private const double PiSquared = Math.PI * Math.PI;
    private const double PiFour = PiSquared * PiSquared;
    private const double PiSix = PiFour * PiSquared;
    private static readonly double Sqrt2Pi = Math.Sqrt(2 * Math.PI);
    private static readonly double Sqrt3 = Math.Sqrt(3);

    /// <summary>The Pelz–Good approximation to Pr(Dₙ ≤ x) (SciPy's <c>_kolmogn_PelzGood</c>).</summary>
    private static double PelzGood(int n, double x)
    {
        if (x <= 0.0)
        {
            return 0.0;
        }

        if (x >= 1.0)
        {
            return 1.0;
        }

        var z = Math.Sqrt(n) * x;
        double zsquared = z * z, zthree = z * z * z, zfour = zsquared * zsquared, zsix = zthree * zthree;
        var qlog = -PiSquared / 8 / zsquared;
        if (qlog < MinLog)
        {
            return 0.0;
        }

        var q = Math.Exp(qlog);
        var k1a = -zsquared;
        var k1b = PiSquared / 4;
        var k2a = (6 * zsix) + (2 * zfour);
        var k2b = ((2 * zfour) - (5 * zsquared)) * PiSquared / 4;
        var k2c = PiFour * (1 - (2 * zsquared)) / 16;
        var k3d = PiSix * (5 - (30 * zsquared)) / 64;
        var k3c = PiFour * ((-60 * zsquared) + (212 * zfour)) / 16;
        var k3b = PiSquared * ((135 * zfour) - (96 * zsix)) / 4;
        var k3a = (-30 * zsix) - (90 * Math.Pow(z, 8));

        var k0to3 = new double[4];
        var maxk = (int)Math.Ceiling(16 * z / Math.PI);
        for (var k = maxk; k > 0; k--)
        {
            double m = (2 * k) - 1;
            double msquared = m * m, mfour = msquared * msquared, msix = mfour * msquared;
            var qpower = Math.Pow(q, 8 * k);
            double[] coefficients =
            [
                1.0,
                k1a + (k1b * msquared),
                k2a + (k2b * msquared) + (k2c * mfour),
                k3a + (k3b * msquared) + (k3c * mfour) + (k3d * msix),
            ];
            for (var i = 0; i < 4; i++)
            {
                k0to3[i] = (k0to3[i] * qpower) + coefficients[i];
            }
        }

        double[] divisors = [z, 6 * zfour, 72 * Math.Pow(z, 7), 6480 * Math.Pow(z, 10)];
        for (var i = 0; i < 4; i++)
        {
            k0to3[i] = k0to3[i] * q * Sqrt2Pi / divisors[i];
        }

        q = Math.Exp(-PiSquared / 2 / zsquared);
        var sqrt3z = Sqrt3 * z;
        double k2extra = 0, k3extra = 0;
        for (var k = maxk; k > 0; k--)
        {
            var ksquared = (double)k * k;
            var kspi = Math.PI * k;
            var qpower = Math.Pow(q, ksquared);
            k2extra += ksquared * qpower;
            k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpower;
        }

        k0to3[2] += k2extra * (PiSquared * Sqrt2Pi / (-36 * zthree));
        k0to3[3] += k3extra * (PiSquared * Sqrt2Pi / (216 * zsix));
        var sum = 0.0;
        for (var i = 0; i < 4; i++)
        {
            sum += k0to3[i] / Math.Pow(n * 1.0, i / 2.0);
        }

        return sum;
    }
}
