/*
 * ctl_prom.h: reading the Prometheus text that "superdctl metrics"
 * returns (pure: no I/O), for superdctl top.
 */
#ifndef SUPERD_CTL_PROM_H
#define SUPERD_CTL_PROM_H

#define PROM_MAXLABELS	8

/* One sample line: name{k="v",...} value.  Pointers into the line. */
struct prom_sample {
	char	*name;
	int	 nlabels;
	char	*key[PROM_MAXLABELS];
	char	*val[PROM_MAXLABELS];	/* unescaped */
	double	 value;
};

/* Split line in place: 0 a sample, 1 a comment or blank, -1 malformed. */
int		 prom_parse(char *line, struct prom_sample *);
/* The value of label key, or NULL. */
const char	*prom_label(const struct prom_sample *, const char *key);
/*
 * The q-quantile (0..1) of a histogram given as n cumulative counts cum
 * at upper bounds le (le[n - 1] is +Inf), interpolated linearly inside
 * its bucket as Prometheus' histogram_quantile() does; in the +Inf
 * bucket, the highest finite bound.  -1 when the counts are empty.
 */
double		 prom_quantile(double q, const double *le, const double *cum,
		    int n);

#endif
