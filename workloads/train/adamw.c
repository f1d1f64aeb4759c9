/* adamw.c — AdamW (decoupled weight decay on weights, none on biases), bias-corrected moments. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/train.h"

int tb_adamw_init(tb_adamw *o, const tb_mlp *m, double weight_decay)
{
    memset(o, 0, sizeof *o);
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    o->weight_decay = weight_decay;
    for (size_t l = 0; l < m->n_layers; l++) {
        const size_t n[2] = {m->layer[l].in * m->layer[l].out, m->layer[l].out};
        for (int p = 0; p < 2; p++) {
            o->m[l][p] = calloc(n[p], sizeof(float));
            o->v[l][p] = calloc(n[p], sizeof(float));
            if (!o->m[l][p] || !o->v[l][p]) {
                tb_adamw_free(o);
                return -1;
            }
        }
    }
    return 0;
}

void tb_adamw_free(tb_adamw *o)
{
    for (size_t l = 0; l < TB_MLP_MAX_LAYERS; l++)
        for (int p = 0; p < 2; p++) {
            free(o->m[l][p]);
            free(o->v[l][p]);
        }
    memset(o, 0, sizeof *o);
}

void tb_adamw_update(float *w, const float *g, float *m, float *v, size_t n, const tb_adamw *o, double lr,
                     double decay)
{
    const double c1 = 1.0 - pow(o->beta1, (double)o->t), c2 = 1.0 - pow(o->beta2, (double)o->t);
    const float b1 = (float)o->beta1, b2 = (float)o->beta2;
    const float step = (float)(lr / c1), inv_c2 = (float)(1.0 / c2), eps = (float)o->eps;
    const float shrink = (float)(1.0 - lr * decay);
    for (size_t i = 0; i < n; i++) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        w[i] = w[i] * shrink - step * m[i] / (sqrtf(v[i] * inv_c2) + eps);
    }
}

void tb_adamw_step(tb_adamw *o, tb_mlp *m, const tb_mlp_ws *ws, double lr)
{
    o->t++;
    for (size_t l = 0; l < m->n_layers; l++) {
        tb_linear *L = &m->layer[l];
        tb_adamw_update(L->W, ws->gW[l], o->m[l][0], o->v[l][0], L->in * L->out, o, lr, o->weight_decay);
        tb_adamw_update(L->b, ws->gb[l], o->m[l][1], o->v[l][1], L->out, o, lr, 0.0);
    }
}
