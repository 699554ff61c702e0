// Package chat answers questions from retrieved knowledge. The default
// answerer is extractive: it picks the sentences of the retrieved items that
// best support an answer to the question and cites, for each, the item and
// its location; it never writes text that is not in the knowledge base, and
// says it does not know when nothing relevant was retrieved.
package chat
