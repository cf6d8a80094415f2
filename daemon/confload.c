/*
 * confload.c: the configuration read on a thread.  See confload.h.
 *
 * The thread writes its result into the job and signals an eventfd that
 * the loop watches; the loop joins the thread and calls back.
 */
#include "config.h"

#include <sys/eventfd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "confload.h"

static struct {
	pthread_t		 thread;
	int			 busy;
	int			 efd;
	struct event		*ev;
	char			*path;
	confload_fn		 load;
	confload_done_fn	 done;
	void			*arg;
	struct superd_conf	*conf;		/* the thread's result */
	char			*errors;
	size_t			 errlen;
} job = { .efd = -1 };

static void *
loader(void *arg)
{
	FILE	*errs = open_memstream(&job.errors, &job.errlen);

	(void)arg;
	job.conf = job.load(job.path, errs);
	if (errs != NULL)
		fclose(errs);
	(void)eventfd_write(job.efd, 1);
	return NULL;
}

/* Join the thread; hand the result on (deliver) or drop it. */
static void
collect(int deliver)
{
	struct superd_conf	*conf;
	char			*errors;
	eventfd_t		 v;

	pthread_join(job.thread, NULL);
	(void)eventfd_read(job.efd, &v);
	conf = job.conf;
	errors = job.errors;
	job.conf = NULL;
	job.errors = NULL;
	job.busy = 0;
	free(job.path);
	job.path = NULL;
	if (deliver)
		job.done(conf, errors != NULL ? errors : "", job.arg);
	else
		conf_free(conf);
	free(errors);
}

static void
loaded_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (job.busy)
		collect(1);
}

int
confload_start(struct event_base *base, const char *path, confload_fn load,
    confload_done_fn done, void *arg)
{
	if (job.busy)
		return -1;
	if (job.ev == NULL) {
		if ((job.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
			return -1;
		if ((job.ev = event_new(base, job.efd, EV_READ | EV_PERSIST,
		    loaded_cb, NULL)) == NULL || event_add(job.ev, NULL) == -1) {
			if (job.ev != NULL)
				event_free(job.ev);
			job.ev = NULL;
			close(job.efd);
			job.efd = -1;
			return -1;
		}
	}
	if ((job.path = strdup(path)) == NULL)
		return -1;
	job.load = load;
	job.done = done;
	job.arg = arg;
	job.conf = NULL;
	job.errors = NULL;
	job.errlen = 0;
	if (pthread_create(&job.thread, NULL, loader, NULL) != 0) {
		free(job.path);
		job.path = NULL;
		return -1;
	}
	job.busy = 1;
	return 0;
}

int
confload_busy(void)
{
	return job.busy;
}

void
confload_finish(int deliver)
{
	if (job.busy)
		collect(deliver);
	if (!deliver && job.ev != NULL) {
		event_free(job.ev);
		job.ev = NULL;
		close(job.efd);
		job.efd = -1;
	}
}
