"""Function words of the languages news feeds are most often written in.

Related stories must never call two stories alike because both say "the", "met" or "کر":
words that carry grammar, not a topic. A cache's own document frequencies catch them only
where the cache holds many stories of that language, so small caches and languages the cache
holds a little of are covered by these lists: articles, pronouns, prepositions, conjunctions,
auxiliary and modal verbs in all their forms, the commonest adverbs and numerals, and the
fillers of spoken podcast transcripts ("uh", "yeah"), folded as the search index
folds them (lower case, accents stripped). A word that is a function word in one language and
a topic in another ("die", "also", "war") counts as a function word: related stories then
rest on the other terms two stories share, which is the safe side.
"""

from __future__ import annotations

from reader.search import fold

_WORDS = {
    "en": """
a about above after again against all almost along already also although always am among an
and another any anyone anything are around as at back be became because become been before
being below between both but by can cannot could did do does doing done down during each
either else enough even ever every few first for from further get gets getting go goes going
got had has have having he her here hers herself him himself his how however i if in into is
it its itself just last least less let like made make makes many may me might more most much
must my myself near need never new next no nor not now of off often on once one only onto or
other others our ours ourselves out over own per perhaps put quite rather really said same say
says see seen several shall she should since so some something still such than that the their
theirs them themselves then there these they thing things this those though three through thus
to too two under until up upon us use used using very via was way we well were what whatever
when where whether which while who whom whose why will with within without would yet you your
yours yourself yourselves i'm it's don't doesn't didn't can't won't isn't aren't wasn't
uh um oh hey yeah okay ok gonna actually kind sort lot pretty stuff
""",
    "numbers": """
one two three four five six seven eight nine ten hundred thousand million eins zwei drei vier
funf sechs sieben acht neun zehn hundert tausend een twee drie vijf zes zeven negen tien un
deux trois quatre cinq six sept huit neuf dix uno dos tres cuatro cinco seis siete ocho nueve
diez due tre quattro cinque sei sette otto nove dieci um dois quatro cinco
""",
    "de": """
sollten solltest konnten mussen mussten wollten darf durfen sehen besonders spatestens
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
auch auf aus bei beim bin bis bist da dabei dadurch dafur dagegen daher dahin damit dann dar
daran darauf daraus darin darum darunter das dass dein deine dem den denn der deren des deshalb
dessen dich die dies diese diesem diesen dieser dieses dir doch dort du durch ein eine einem
einen einer eines einige einigen einmal er es etwa etwas euch euer eure fur gegen gewesen gibt
hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer
ihres im immer in indem ins ist ja jede jedem jeden jeder jedes jetzt kann kein keine keinem
keinen keiner konnen konnte man manche manchem manchen mancher mehr mein meine mich mir mit
muss musste nach nachdem nicht nichts noch nun nur ob oder ohne schon sehr sein seine seinem
seinen seiner seit sich sie sind so sogar solche soll sollen sollte sondern sowie uber um und
uns unser unsere unter viel viele vom von vor wahrend war waren warum was weil weiter welche
welchem welchen welcher welches wenn wer werde werden wie wieder will wir wird wirst wo wollen
wollte wurde wurden zu zum zur zwar zwischen gerne ganz neue neuen neuer neues heute ab geht
erste ersten erster erstes zweite zweiten dritte große großen großer großes kleine kleinen
diesmal wurdet ware waren frage fragen wirklich eigentlich vielleicht gut gute guten gab mal
einfach sei seien bereits damals danach denen daruber eben echt gar genau
mehrere mehreren machen macht machte gemacht sagen sagt sagte gesagt zeigen zeigt zeigte
stellen stellt stellte obwohl jedoch zudem bisher
nutzen nutzt nutzte genutzt benutzen benutzt verwenden verwendet lassen lasst liess gelassen
bekommen bekommt gehen ging gegangen kommen kommt kam gekommen geben gab gegeben sieht sah
gesehen brauchen braucht stehen steht heisst weg ding dinge sache sachen neu nachste nachsten
nachster letzte letzten letzter letztes jahr jahre jahren jahres oft haufig innerhalb art
gleich gleiche gleichen selben eigene eigenen eigener eigenes wenige wenigen weniger meisten
meist eher genug fast beinahe weitere weiteren weiterer weiteres beide beiden sowohl weder
neben bzw usw etc
""",
    "fr": """
a ai aie aient aies ait alors as au aucun aupres aussi autre autres aux avait avant avec avez
avions avoir ayant c ce ceci cela celle celles celui ces cet cette chez comme comment d dans de
des deux donc dont du elle elles en encore entre es est et etaient etait ete etre eu eux fait
faut il ils j je jusqu l la le les leur leurs lui m ma mais me meme mes moi mon n ne ni nos
notre nous on ont ou par parce pas peu peut plus pour pourquoi qu quand que quel quelle quelles
quels qui s sa sans se sera ses si sien son sont sous sur t ta te tes toi ton tous tout toute
toutes tres tu un une vers voici voila vos votre vous y
""",
    "es": """
a al algo algun alguna algunas alguno algunos ante antes aqui asi aun bajo bien cada casi como
con contra cual cuales cuando de del desde donde dos e el ella ellas ello ellos en entre era
eran es esa esas ese eso esos esta estaba estan estar este esto estos fue fueron ha habia han
hasta hay la las le les lo los mas me mi mientras muy nada ni no nos nosotros o otra otras otro
otros para pero poco por porque que quien se sea segun ser si sido sin sino sobre son su sus
tambien tan tanto te tiene tienen todo todos tu un una uno unos y ya yo
""",
    "it": """
a ad agli ai al alla alle allo anche che chi ci come con cosa cui da dagli dai dal dalla dalle
degli dei del della delle dello di dove e ed era erano essere gli ha hanno ho i il in io la le
lei lo loro lui ma mi mio molto ne nei nel nella nelle no noi non o per perche piu poi quale
quando quanto quella quelle quello questa queste questo se sei si sia sono su sua sue sui sul
sulla suo suoi tra tu tutti tutto un una uno voi
""",
    "nl": """
aan al alle als altijd ben bij dan dat de der deze die dit doch doen door dus een eens en er
ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is ja je
kan kon kunnen maar me meer men met mij mijn moet na naar niet niets nog nu of om omdat ons ook
op over reeds te tegen toch toen tot u uit uw van veel voor want waren was wat we wel werd wie
wij wil worden wordt zal ze zelf zich zij zijn zo zonder zou
""",
    "pt": """
a ao aos as ate com como da das de dela dele deles depois do dos e ela elas ele eles em entre
era essa esse esta estao este eu foi foram ha isso isto ja la lhe mais mas me mesmo meu minha
muito na nao nas nem no nos nossa nosso num numa o os ou para pela pelas pelo pelos por porque
qual quando que quem se sem ser seu seus sua suas so tambem te tem ter um uma umas uns voce
""",
    "sv": """
alla allt att av blev bli blir de dem den denna deras dess det detta dig din dina ditt du dar
efter ej eller en er ett fran for ha hade han hans har hon honom hur har i icke inom inte jag
ju kan kunde man med mellan men mig min mina mitt mot mycket ni nu nar nagon nagot och om oss
pa samma sedan sig sin sina sitt ska skulle som till under upp ut utan vad var vara varit vi
vid vilka vilken vill
""",
    "da": """
ad af alle alt anden at blev blive bliver da de dem den denne der deres det dette dig din dog
du efter eller en end er et for fra ham han hans har havde have hende hendes her hos hun hvad
hvis hvor i ikke ind jeg jer kan kunne man mange med meget men mig min mine mit mod ned noget
nogle nu nar og ogsa om op os over pa sa selv sig sin sine sit skal skulle som til ud under
var vi vil ville vor
""",
    "nb": """
alle at av bare begge ble blei bli blir da de deg dei deim deira deires dem den denne der dere
deres det dette di din disse ditt du dykk eg ein eit eitt eller elles en enn er et ett etter
for fordi fra for ha hadde han hans har hennar henne hennes her ho hoe hun hva hvem hver hvis
hvor i ikkje ikke inn jeg kan kom korleis kun kunne man mange me med meg meget mellom men mi
min mine mitt mot mykje ned no noe noen nar og ogsa om opp oss over pa samme seg selv si sia
sidan sin sine sitt sjol skal skulle slik so som til um under upp ut uten var vart varte ved
vere vi vil ville vore vors
""",
    "pl": """
a aby ale bez bo by byc byl byla byli bylo co czy dla do gdy gdzie i ich ja jak jako je jego
jej jest jestem juz ktora ktore ktory ma mi mnie moze na nad nas nie nich nim o od oraz po pod
przez przy sa sie ta tak takze te tego tej ten to tu tym tylko w we wiec wszystko z za ze
""",
    "cs": """
a aby ale ani ano asi az bez by byl byla byli bylo byt co do i jak je jeho jej jen jeste ji
jiz jsem jsme jsou jste k kde kdyz ke ktera ktere ktery mezi mi mne na nad nebo neni nez o od
po pod pro proto protoze pri s se si sve ta tak take tam te tedy ten to tu ty u uz v ve vsak z
za ze
""",
    "sk": """
a aby aj ak ako ale alebo ani az bez bol bola boli bolo by byt co do i ich ja je jeho jej ju
k ked ktora ktore ktori ktory len ma mi na nad nie no o od po pod pre pred pri s sa si so su
ta tak tam te to tu ty uz v vo z za ze
""",
    "ru": """
а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже
который которые которая которое которых которым также после при через
для до его ее ей ему если есть еще же за здесь и из или им их к как ко когда кто ли либо мне
может мы на над надо не него нее нет ни них но ну о об однако он она они оно от очень по под
при с со так также такой там те тем то того тоже той только том ты у уже хотя чего чей чем что
чтобы чье чья эта эти это я
""",
    "uk": """
а або але б би був була були було бути в вже від він вона вони воно все всі де для до же з за
и із їх й його її коли котрий лише між мене ми на над не ні нього про та так також там те ти
то тобто тому тут у уже це цей ці чи що щоб як яка який які я
""",
    "tr": """
acaba ama ancak bana bazi belki ben benden beni benim bir biri birkac birsey biz bize bizi
bizim bu buna bunda bundan bunu bunun da daha de defa diye en gibi hem hep hepsi her hic icin
ile ise kez ki kim mi mu nasil ne neden nerde nerede nereye niye o ona ondan onlar onlari
onlarin onu onun sanki sen senden seni senin siz sizden sizi sizin sey ve veya ya yani
""",
    "id": """
ada adalah agar akan aku anda atau bagi bahwa banyak belum bisa dalam dan dapat dari dengan di
dia hanya harus ini itu jika juga kami kamu karena ke kepada kita lebih masih mereka oleh pada
saat saja sangat saya sebagai sedang sudah tapi telah tetapi tidak untuk yaitu yang
""",
    "ar": """
في من على إلى عن مع هذا هذه ذلك التي الذي التى الذين كان كانت أن إن لا ما لم لن قد ثم أو أي كل
بعد قبل عند حتى هو هي هم نحن أنا بين غير منذ أيضا كما لكن
""",
    "ur": """
کے کی کا کو میں سے نے اور پر ہے ہیں تھا تھی تھے کر کہ یہ وہ بھی ایک ہو گا گی گے جو کیا کرتے کرنے
لیے لئے تو اس ان نہیں ہی ہوا ہوئے ہوتا جب تک اپنے اپنی
""",
    "fa": """
و در به از که این را با است برای آن یک خود تا بر هم نیز شد شده بود کرد می ها های
""",
    "hi": """
का की के को में से ने और पर है हैं था थी थे कर कि यह वह भी एक हो जो क्या लिए तो इस उस नहीं ही
""",
}

FUNCTION_WORDS = frozenset(fold(word) for words in _WORDS.values() for word in words.split())
"""Every list above, folded: a term in here never makes two stories related."""
