/* FlateDecode then a predictor, with parameters taken from the first bytes of the input. */
#include <stdint.h>
#include <stdlib.h>

#include "pdf/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t predictors[] = {1, 2, 10, 12, 15, 11};
    lsi_pdf_predictor p;
    unsigned char *out = NULL;
    size_t out_len = 0;
    int truncated;

    if (size < 3)
        return 0;
    p.predictor = predictors[data[0] % 6];
    p.colors = 1 + data[1] % 4;
    p.bits_per_component = (int64_t)1 << (data[1] / 4 % 5);
    p.columns = 1 + data[2];
    if (lsi_pdf_inflate(data + 3, size - 3, 1 << 20, &out, &out_len, &truncated) == 0)
        (void)lsi_pdf_unpredict(&p, out, out_len, &out_len);
    free(out);
    return 0;
}
