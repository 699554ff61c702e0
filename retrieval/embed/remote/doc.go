// Package remote is a model-backed embedder: it keeps the lexical sparse
// vector of an offline embedder (embed.Offline) and takes the dense vector
// from an embedding model reached over HTTP through langchaingo, either an
// OpenAI-compatible /v1/embeddings endpoint (llms/openai) or an Ollama
// server (llms/ollama, POST /api/embed).
//
// Hybrid search therefore keeps its BM25-like lexical evidence while the
// dense side gains a real semantic model. Embedder satisfies the same
// contract as embed.Offline (EmbedItems, EmbedQuery, Dim, Name), so it
// plugs into ingest.Pipeline and retrieval.Searcher unchanged.
//
// Requests to the model are
//
//   - batched: at most Config.BatchSize texts per call (Ollama's client sends
//     one text per HTTP request, the batch is then a run of requests);
//   - bounded: every HTTP request, body included, gets Config.Timeout;
//   - retried with exponential backoff and jitter on transient failures
//     (HTTP 429 honouring Retry-After, 5xx, timeouts, connection errors),
//     never on other 4xx answers or malformed responses;
//   - checked: the number of vectors must match the texts, every vector
//     must have Config.Dim finite components, otherwise a knowledge.Error
//     says what is wrong (Conflict saying to run `lore reindex`, for a
//     dimension mismatch);
//   - L2-normalised, so the dot product of two dense vectors is their
//     cosine, as knowledge.Vectors requires.
//
// With Config.CacheDir set, vectors are cached in a SQLite file keyed by
// SHA-256(provider, model, text): re-ingesting unchanged text, or asking a
// question again, does not call the model.
//
// The package reads no environment variable: langchaingo's clients would
// fall back to OPENAI_API_KEY, OPENAI_BASE_URL or OLLAMA_HOST, so every
// setting they read is passed explicitly.
package remote
