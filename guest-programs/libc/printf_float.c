// tests printf/strtod of floating point (musl formats through long double: the x87 must be exact)
#include <stdio.h>
#include <stdlib.h>
#include <math.h>

int main(void)
{
    double v[] = { 0.0, -0.0, 1.0, 0.1, 1.0 / 3.0, 3.141592653589793, 1e-300, 4.9e-324, 1.7976931348623157e308,
                   123456789.125, -2.5, 6.02214076e23, NAN, INFINITY, -INFINITY, 2.2250738585072014e-308 };
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++)
        printf("%g|%f|%e|%.17g|%a|%.3f|%10.4e\n", v[i], v[i], v[i], v[i], v[i], v[i], v[i]);
    long double ld[] = { 1.0L / 3.0L, 3.14159265358979323846264338327950288L, 1e4000L, -7.25L };
    for (unsigned i = 0; i < sizeof ld / sizeof ld[0]; i++)
        printf("%Lg|%.20Lf|%Le|%La\n", ld[i], ld[i], ld[i], ld[i]);
    const char *s[] = { "3.25", "-1e-10", "0x1.8p3", "1e308", "2.2250738585072011e-308", "nan", "inf", "123456789012345678901234567890" };
    for (unsigned i = 0; i < sizeof s / sizeof s[0]; i++) {
        double d = strtod(s[i], NULL);
        printf("strtod(%s) = %.17g\n", s[i], d);
    }
    printf("sqrt %.17g pow %.17g exp %.17g log %.17g sin %.17g atan2 %.17g\n",
           sqrt(2.0), pow(2.0, 0.5), exp(1.0), log(10.0), sin(1.0), atan2(1.0, 2.0));
    printf("fmod %.17g floor %.17g rint %.17g\n", fmod(10.5, 3.0), floor(-2.5), rint(2.5));
    return 0;
}
