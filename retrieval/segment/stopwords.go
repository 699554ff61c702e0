package segment

// stopWords are dropped by Words. The table is deliberately small: only
// particles, pronouns and function words that carry no meaning for search.
// Negations (不, 没有, no, not) and modal words (应当, 不得, 可以, must, may)
// are kept because compliance questions turn on them. Single words only: a
// stop word inside a longer word (的确, 等待) does not drop that word.
var stopWords = map[string]bool{
	// Chinese particles, conjunctions and pronouns.
	"的": true, "地": true, "得": true, "了": true, "着": true, "过": true,
	"是": true, "在": true, "和": true, "与": true, "及": true, "或": true,
	"吗": true, "呢": true, "啊": true, "吧": true, "呀": true, "哦": true,
	"嗯": true, "等": true, "也": true, "就": true, "都": true, "而": true,
	"之": true, "其": true, "这": true, "那": true, "个": true, "把": true,
	"被": true, "我": true, "你": true, "您": true, "他": true, "她": true,
	"它": true, "们": true, "我们": true, "你们": true, "他们": true,
	"这个": true, "那个": true, "请问": true, "一下": true,
	// English function words and clitics.
	"a": true, "an": true, "the": true, "of": true, "to": true, "in": true,
	"on": true, "at": true, "by": true, "for": true, "from": true,
	"with": true, "as": true, "and": true, "or": true, "but": true,
	"if": true, "is": true, "are": true, "was": true, "were": true,
	"be": true, "been": true, "it": true, "its": true, "this": true,
	"that": true, "these": true, "those": true, "i": true, "you": true,
	"we": true, "my": true, "your": true, "me": true, "do": true,
	"does": true, "did": true, "s": true, "t": true,
}
