/* queue.c - the writer thread of report-queue.h.
 *
 * One mutex guards a FIFO of pending items, the written ones, the end
 * request and the first write error; two conditions wake the writer (work)
 * and the engine (room).  One item per connection, never per frame.
 * Written connections go back to the engine's thread to be freed, in
 * batches at its next push: freed where they were allocated, they stay in
 * that thread's malloc caches instead of contending for its arena.  Items
 * carry their own queue link and are kept for reuse once written, so
 * passing a connection to the writer allocates nothing once the queue has
 * grown to its working size.
 */
#include "config.h"

#include "tcpflow-audit/report-queue.h"
#include "tcpflow-audit/thread.h"

/* Connections waiting before the writer is woken (it also wakes at the end). */
#define WAKE_BATCH 32u

typedef struct Item {
    GList link;        /* in pending, written or spare; data is the item */
    TfaConn *conn;
    TfaConnRecord rec; /* rec.conn is conn */
} Item;

struct TfaReportQueue {
    TfaReporter *rep;
    GThread *thread;
    GMutex lock;
    GCond work;        /* an item, or the end, for the writer */
    GCond room;        /* fewer pending, for the engine */
    GQueue pending;    /* Item*, to be written */
    GQueue written;    /* Item*, to be freed by the engine's thread */
    GQueue spare;      /* Item*, written and freed, for the next pushes (engine's thread) */
    bool ending;
    GError *error;     /* the first write error */
    bool finished;
};

static gpointer writer_main(gpointer data)
{
    TfaReportQueue *q = data;

    g_mutex_lock(&q->lock);
    for (;;) {
        while (q->pending.length == 0 && !q->ending)
            g_cond_wait(&q->work, &q->lock);
        GList *l = g_queue_pop_head_link(&q->pending);
        if (l == NULL)
            break; /* ending, and nothing left */
        Item *it = l->data;
        bool failed = q->error != NULL;
        g_mutex_unlock(&q->lock);

        GError *error = NULL;
        if (!failed)
            (void)tfa_report_conn(q->rep, &it->rec, &error);

        g_mutex_lock(&q->lock);
        g_queue_push_tail_link(&q->written, &it->link);
        if (error != NULL && q->error == NULL)
            q->error = error;
        else
            g_clear_error(&error);
        g_cond_signal(&q->room);
    }
    g_cond_broadcast(&q->room);
    g_mutex_unlock(&q->lock);
    return NULL;
}

TfaReportQueue *tfa_report_queue_new(TfaReporter *rep)
{
    TfaReportQueue *q = g_new0(TfaReportQueue, 1);
    q->rep = rep;
    g_mutex_init(&q->lock);
    g_cond_init(&q->work);
    g_cond_init(&q->room);
    g_queue_init(&q->pending);
    g_queue_init(&q->written);
    g_queue_init(&q->spare);
    q->thread = tfa_thread_new("tfa-writer", writer_main, q);
    return q;
}

/* Free the connections of @items; keep the items in @spare, or free them
 * too when @spare is NULL. */
static void free_items(GQueue *items, GQueue *spare)
{
    GList *l;
    while ((l = g_queue_pop_head_link(items)) != NULL) {
        Item *it = l->data;
        tfa_conn_free(it->conn);
        it->conn = NULL;
        if (spare != NULL)
            g_queue_push_tail_link(spare, &it->link);
        else
            g_free(it);
    }
}

/* Free what the writer has written (the engine's thread). */
static void collect_written(TfaReportQueue *q)
{
    g_mutex_lock(&q->lock);
    GQueue done = q->written;
    g_queue_init(&q->written);
    g_mutex_unlock(&q->lock);
    free_items(&done, &q->spare);
}

gboolean tfa_report_queue_push(TfaReportQueue *q, TfaConn *c, const TfaConnRecord *rec,
                               GError **error)
{
    collect_written(q);
    GList *l = g_queue_pop_head_link(&q->spare);
    Item *it = l != NULL ? l->data : g_new0(Item, 1);
    it->link.data = it;
    it->conn = c;
    it->rec = *rec;
    it->rec.conn = c;

    g_mutex_lock(&q->lock);
    while (q->pending.length >= TFA_REPORT_QUEUE_PENDING && q->error == NULL)
        g_cond_wait(&q->room, &q->lock);

    if (q->error != NULL) {
        g_propagate_error(error, g_error_copy(q->error));
        g_mutex_unlock(&q->lock);
        tfa_conn_free(c);
        g_free(it);
        return FALSE;
    }
    g_queue_push_tail_link(&q->pending, &it->link);
    /* wake the writer for a batch, not for every connection */
    if (q->pending.length == WAKE_BATCH)
        g_cond_signal(&q->work);
    g_mutex_unlock(&q->lock);
    return TRUE;
}

gboolean tfa_report_queue_finish(TfaReportQueue *q, GError **error)
{
    if (!q->finished) {
        g_mutex_lock(&q->lock);
        q->ending = true;
        g_cond_signal(&q->work);
        g_mutex_unlock(&q->lock);
        g_thread_join(q->thread);
        q->finished = true;
        free_items(&q->written, NULL);
        free_items(&q->pending, NULL); /* none unless the writer stopped early */
        free_items(&q->spare, NULL);
    }
    if (q->error != NULL) {
        g_propagate_error(error, g_error_copy(q->error));
        return FALSE;
    }
    return TRUE;
}

void tfa_report_queue_free(TfaReportQueue *q)
{
    if (q == NULL)
        return;
    (void)tfa_report_queue_finish(q, NULL);
    g_clear_error(&q->error);
    g_mutex_clear(&q->lock);
    g_cond_clear(&q->work);
    g_cond_clear(&q->room);
    g_free(q);
}
