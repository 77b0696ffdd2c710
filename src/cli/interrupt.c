#include "interrupt.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t pending;
static struct sigaction saved_int, saved_term;

static void on_signal(int signo)
{
    if (pending) { /* asked twice: stop now, by the signal, as without tinynet's handler */
        signal(signo, SIG_DFL);
        raise(signo);
        return;
    }
    pending = signo;
}

void tn_cli_interrupt_catch(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* writes in progress complete; the job checks the flag */
    pending = 0;
    /* A signal the shell set to be ignored (a background job, nohup) stays ignored. */
    sigaction(SIGINT, NULL, &saved_int);
    sigaction(SIGTERM, NULL, &saved_term);
    if (saved_int.sa_handler != SIG_IGN)
        sigaction(SIGINT, &sa, NULL);
    if (saved_term.sa_handler != SIG_IGN)
        sigaction(SIGTERM, &sa, NULL);
}

void tn_cli_interrupt_restore(void)
{
    sigaction(SIGINT, &saved_int, NULL);
    sigaction(SIGTERM, &saved_term, NULL);
}

int tn_cli_interrupted(void) { return pending; }

int tn_cli_should_stop(void *user)
{
    (void)user;
    return pending != 0;
}

const char *tn_cli_signal_name(int signo)
{
    return signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : "a signal";
}
