//! Function words of the languages most news is written in: left out of story signatures, as
//! search engines leave them out, so two headlines sharing only "the", "of", "में" are not alike.

use std::sync::OnceLock;

use super::FastSet;

/// Per language, space-separated, as written (folded like the index folds them when loaded).
const LISTS: &[&str] = &[
    // English
    "a an the and or but if of to in on at by for with from as into onto over under about after \
     before between during without within through up down out off than then so not no nor is are \
     was were be been being am has have had having do does did will would shall should can could \
     may might must this that these those it its it's he she they them his her their our we you \
     your i me my who whom whose which what when where why how all any both each few more most \
     other some such only own same too very just also says said say new via amid against",
    // Hindi
    "का के की को में से पर और या है हैं था थे थी थीं हो होता होती होते ने भी तो ही यह वह ये वे \
     इस उस इन उन एक कि जो जब तक लिए साथ बाद पहले कर करने किया किए गया गई गए रहा रही रहे अब",
    // Vietnamese (syllables)
    "và của là có được cho với các những một trong khi đã đang sẽ này đó thì mà để từ tại về \
     người không cũng như theo trên ra vào lại năm ngày sau bị do",
    // Spanish, Portuguese
    "el la los las un una unos unas y o de del al en con por para que se su sus es son fue \
     como más pero sin sobre entre tras ante o os as um uma e do da dos das no na nos nas em \
     com pelo pela ao à é foi são",
    // French
    "le les des du une et ou dans sur pour par avec sans au aux ce cette ces est sont été qui \
     que dont où il elle ils elles se son sa ses leur leurs pas plus",
    // German
    "der die das den dem des ein eine einer eines einem einen und oder in im auf an am zu zum \
     zur mit von vom für aus bei nach über unter ist sind war waren wird werden hat haben nicht \
     auch sich es sie er wie als",
    // Indonesian, Malay
    "yang dan di ke dari untuk dengan ini itu pada adalah akan dalam tidak juga oleh",
];

/// The function words' hashes, made once.
pub fn words() -> &'static FastSet {
    static WORDS: OnceLock<FastSet> = OnceLock::new();
    WORDS.get_or_init(|| {
        LISTS
            .iter()
            .flat_map(|list| list.split_whitespace())
            .flat_map(super::sig::word_hashes)
            .collect()
    })
}
