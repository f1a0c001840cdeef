/* SPDX-License-Identifier: BSD-2-Clause */
/* GRTT and group size quantization (see quant.h). */
#include "config.h"

#include "core/quant.h"

/*
 * floor(RTT_MAX / exp((255 - q) / 13)) in ns for q >= 32, (q + 1) us below,
 * computed once with 50-digit decimal arithmetic.  Rounding down makes
 * "smallest q with table[q] >= rtt" equal to RFC 5401's ceil() formula for
 * every integer rtt in ns.
 */
static const uint64_t grtt_ns[256] = {
    1000ULL,          2000ULL,         3000ULL,         4000ULL,         5000ULL,
    6000ULL,          7000ULL,         8000ULL,         9000ULL,         10000ULL,
    11000ULL,         12000ULL,        13000ULL,        14000ULL,        15000ULL,
    16000ULL,         17000ULL,        18000ULL,        19000ULL,        20000ULL,
    21000ULL,         22000ULL,        23000ULL,        24000ULL,        25000ULL,
    26000ULL,         27000ULL,        28000ULL,        29000ULL,        30000ULL,
    31000ULL,         32000ULL,        35495ULL,        38334ULL,        41399ULL,
    44709ULL,         48284ULL,        52145ULL,        56314ULL,        60817ULL,
    65680ULL,         70932ULL,        76604ULL,        82729ULL,        89344ULL,
    96488ULL,         104203ULL,       112535ULL,       121533ULL,       131251ULL,
    141745ULL,        153079ULL,       165319ULL,       178538ULL,       192814ULL,
    208231ULL,        224881ULL,       242862ULL,       262281ULL,       283253ULL,
    305902ULL,        330361ULL,       356777ULL,       385304ULL,       416113ULL,
    449385ULL,        485317ULL,       524123ULL,       566031ULL,       611291ULL,
    660169ULL,        712955ULL,       769963ULL,       831528ULL,       898016ULL,
    969821ULL,        1047367ULL,      1131113ULL,      1221556ULL,      1319231ULL,
    1424715ULL,       1538634ULL,      1661661ULL,      1794526ULL,      1938015ULL,
    2092977ULL,       2260329ULL,      2441063ULL,      2636248ULL,      2847039ULL,
    3074686ULL,       3320535ULL,      3586041ULL,      3872778ULL,      4182441ULL,
    4516865ULL,       4878029ULL,      5268071ULL,      5689301ULL,      6144212ULL,
    6635497ULL,       7166065ULL,      7739056ULL,      8357863ULL,      9026150ULL,
    9747872ULL,       10527302ULL,     11369054ULL,     12278113ULL,     13259858ULL,
    14320103ULL,      15465124ULL,     16701700ULL,     18037152ULL,     19479384ULL,
    21036936ULL,      22719029ULL,     24535620ULL,     26497463ULL,     28616174ULL,
    30904295ULL,      33375371ULL,     36044032ULL,     38926077ULL,     42038567ULL,
    45399929ULL,      49030062ULL,     52950457ULL,     57184323ULL,     61756724ULL,
    66694730ULL,      72027574ULL,     77786826ULL,     84006583ULL,     90723666ULL,
    97977839ULL,      105812049ULL,    114272675ULL,    123409804ULL,    133277528ULL,
    143934266ULL,     155443106ULL,    167872181ULL,    181295073ULL,    195791245ULL,
    211446517ULL,     228353569ULL,    246612492ULL,    266331381ULL,    287626971ULL,
    310625336ULL,     335462627ULL,    362285883ULL,    391253900ULL,    422538171ULL,
    456323900ULL,     492811103ULL,    532215785ULL,    574771227ULL,    620729359ULL,
    670362258ULL,     723963753ULL,    781851171ULL,    844367208ULL,    911881965ULL,
    984795135ULL,     1063538368ULL,   1148577832ULL,   1240416966ULL,   1339599466ULL,
    1446712499ULL,    1562390183ULL,   1687317339ULL,   1822233545ULL,   1967937516ULL,
    2125291830ULL,    2295228039ULL,   2478752176ULL,   2676950720ULL,   2890997021ULL,
    3122158250ULL,    3371802900ULL,   3641408886ULL,   3932572297ULL,   4247016844ULL,
    4586604061ULL,    4953344333ULL,   5349408789ULL,   5777142164ULL,   6239076671ULL,
    6737946999ULL,    7276706499ULL,   7858544670ULL,   8486906038ULL,   9165510554ULL,
    9898375607ULL,    10689839816ULL,  11544588712ULL,  12467682474ULL,  13464585890ULL,
    14541200706ULL,   15703900565ULL,  16959568741ULL,  18315638888ULL,  19780139048ULL,
    21361739175ULL,   23069802465ULL,  24914440787ULL,  26906574544ULL,  29057997322ULL,
    31381445714ULL,   33890674714ULL,  36600539154ULL,  39527081643ULL,  42687627542ULL,
    46100887528ULL,   49787068367ULL,  53767992539ULL,  58067227423ULL,  62710224828ULL,
    67724471659ULL,   73139652649ULL,  78987826094ULL,  85303613635ULL,  92124405229ULL,
    99490580494ULL,   107445747763ULL, 116037002247ULL, 125315204844ULL, 135335283236ULL,
    146156557071ULL,  157843089134ULL, 170464064608ULL, 184094200653ULL, 198814188738ULL,
    214711172341ULL,  231879262848ULL, 250420096693ULL, 270443437062ULL, 292067823691ULL,
    315421274638ULL,  340642044157ULL, 367879441171ULL, 397294713197ULL, 429062000943ULL,
    463369369231ULL,  500419920360ULL, 540432996486ULL, 583645478143ULL, 630313186596ULL,
    680712398323ULL,  735141480591ULL, 793922657817ULL, 857403919160ULL, 925961078642ULL,
    1000000000000ULL,
};

/* Below 33 us RFC 5401 switches to linear 1 us steps (rounding down). */
#define GRTT_LINEAR_NS 33000ULL

uint8_t uftp_grtt_quantize(uint64_t rtt_ns)
{
	unsigned lo = 32, hi = 255;

	if (rtt_ns < UFTP_RTT_MIN_NS)
		rtt_ns = UFTP_RTT_MIN_NS;
	if (rtt_ns > UFTP_RTT_MAX_NS)
		rtt_ns = UFTP_RTT_MAX_NS;
	if (rtt_ns < GRTT_LINEAR_NS)
		return (uint8_t)(rtt_ns / UFTP_RTT_MIN_NS - 1);
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (grtt_ns[mid] >= rtt_ns)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (uint8_t)lo;
}

uint64_t uftp_grtt_unquantize(uint8_t q)
{
	return grtt_ns[q];
}

static const uint64_t pow10_tab[9] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL,
};

uint8_t uftp_gsize_quantize(uint32_t n)
{
	unsigned e;

	if (n == 0)
		return 0;
	if (n > UFTP_GSIZE_MAX)
		return 0xff;
	for (e = 0; e < 8; e++) {
		uint64_t m = (uint64_t)n * 32 / pow10_tab[e + 1];

		if (m <= 31)
			return (uint8_t)(m << 3 | e);
	}
	return 0xff;
}

uint64_t uftp_gsize_unquantize_milli(uint8_t q)
{
	uint64_t m = q >> 3;
	unsigned e = q & 7;

	return m * pow10_tab[e + 1] * 1000 / 32;
}

uint16_t uftp_cc_rate_quantize(double rate)
{
	double scale = 10.0;
	unsigned e = 0;

	if (rate < 1)
		rate = 1;
	while (e < 15 && rate * 4096 / scale >= 4096)
		scale *= 10, e++;
	if (rate * 4096 / scale >= 4096)
		return 0xfff0 | 15;
	return (uint16_t)((unsigned)(rate * 4096 / scale) << 4 | e);
}

double uftp_cc_rate_unquantize(uint16_t q)
{
	double v = (double)(q >> 4) / 4096;
	unsigned e;

	for (e = 0; e <= (q & 15u); e++)
		v *= 10;
	return v;
}
