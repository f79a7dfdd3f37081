"""First texts of the rights library, written from the facts in CONTEXT.md.

They are a starting point, not legal advice: ``amparo rights seed`` loads them
as drafts marked "needs legal review", for the network's lawyers to correct,
review and publish. What an administrative warrant allows is contested and the
Connecticut Trust Act was amended in 2025: these texts must be dated and
reviewed, never trusted as written here.

Per topic: its kind, slug and number, then per language the title, the web
text (paragraphs split by blank lines), the SMS text (short; Spanish and
Portuguese written without the accents GSM-7 lacks, so a text costs 160
characters a segment, not 70) and the operator's script.
"""

from __future__ import annotations

from dataclasses import dataclass

from amparo.rights.models import TopicKind


@dataclass(frozen=True)
class SeedText:
    title: str
    body: str
    sms_text: str
    script: str


@dataclass(frozen=True)
class SeedTopic:
    kind: TopicKind
    slug: str
    order: int
    texts: dict[str, SeedText]


DOOR = SeedTopic(
    kind=TopicKind.AT_THE_DOOR,
    slug="at-the-door",
    order=1,
    texts={
        "en": SeedText(
            title="At the door",
            body=(
                "Do not open the door. You can talk to the agents through the closed door.\n\n"
                "Ask who they are and why they are there. Ask them to pass the warrant under "
                "the door or to hold it against a window.\n\n"
                "A warrant signed by a judge names a court. An ICE administrative warrant "
                "(form I-200 or I-205) is signed by an immigration officer: lawyers advise that "
                "it does not by itself allow agents to enter a home without your consent. This "
                'is contested in the courts; see "Warrants explained".\n\n'
                'If they come in anyway, do not resist. Say: "I do not consent to this '
                'search."\n\n'
                "You have the right to remain silent. Do not sign anything you do not "
                "understand. Do not lie and do not show false papers.\n\n"
                "Call the hotline. If you can do so safely, write down what you see: how many "
                "agents, their names or badge numbers, vehicles and plates."
            ),
            sms_text=(
                "Do not open the door. Talk through the closed door. Ask them to pass the "
                "warrant under the door. An ICE warrant (I-200 or I-205) is not signed by a "
                "judge. If they enter anyway, do not resist; say: I do not consent to this "
                "search. You can remain silent. Do not sign anything. Call the hotline."
            ),
            script=(
                "Ask: are the agents at your door now? Tell the caller: do not open the door; "
                "talk through it. Ask them to pass the warrant under the door. Check with the "
                "caller whether it is signed by a judge and names a court. If they enter, do "
                'not resist; say "I do not consent to this search". Stay silent; sign nothing.'
            ),
        ),
        "es": SeedText(
            title="En la puerta de su casa",
            body=(
                "No abra la puerta. Puede hablar con los agentes a través de la puerta "
                "cerrada.\n\n"
                "Pregunte quiénes son y por qué están ahí. Pida que pasen la orden por debajo "
                "de la puerta o que la muestren por una ventana.\n\n"
                "Una orden firmada por un juez nombra a un tribunal. Una orden administrativa "
                "de ICE (formulario I-200 o I-205) la firma un oficial de inmigración: los "
                "abogados aconsejan que por sí sola no permite a los agentes entrar a una casa "
                'sin su permiso. Esto se disputa en los tribunales; vea "Tipos de orden".\n\n'
                'Si entran de todos modos, no se resista. Diga: "No doy mi consentimiento '
                'para este registro."\n\n'
                "Tiene derecho a guardar silencio. No firme nada que no entienda. No mienta y "
                "no muestre documentos falsos.\n\n"
                "Llame a la línea de ayuda. Si puede hacerlo sin peligro, anote lo que ve: "
                "cuántos agentes, sus nombres o números de placa, vehículos y placas."
            ),
            sms_text=(
                "No abra la puerta. Hable con la puerta cerrada. Pida que pasen la orden por "
                "debajo de la puerta. Una orden de ICE (I-200 o I-205) no la firma un juez. Si "
                "entran igual, no se resista; diga: No doy permiso para este registro. Puede "
                "guardar silencio. No firme nada. Llame a la linea de ayuda."
            ),
            script=(
                "Pregunte: ¿están los agentes en su puerta ahora? Diga: no abra la puerta; "
                "hable a través de ella. Pida que pasen la orden por debajo de la puerta. "
                "Revise con la persona si la firma un juez y nombra un tribunal. Si entran, "
                'no se resista; diga "No doy mi consentimiento para este registro". Guarde '
                "silencio; no firme nada."
            ),
        ),
        "pt": SeedText(
            title="Na porta de casa",
            body=(
                "Não abra a porta. Você pode falar com os agentes através da porta fechada.\n\n"
                "Pergunte quem são e por que estão ali. Peça que passem o mandado por baixo da "
                "porta ou que o mostrem pela janela.\n\n"
                "Um mandado assinado por um juiz indica um tribunal. Um mandado administrativo "
                "do ICE (formulário I-200 ou I-205) é assinado por um oficial de imigração: os "
                "advogados orientam que, sozinho, ele não permite que os agentes entrem numa "
                'casa sem a sua permissão. Isso é contestado nos tribunais; veja "Mandados '
                'explicados".\n\n'
                'Se entrarem mesmo assim, não resista. Diga: "Eu não autorizo esta '
                'busca."\n\n'
                "Você tem o direito de ficar calado. Não assine nada que não entenda. Não minta "
                "e não mostre documentos falsos.\n\n"
                "Ligue para a linha de ajuda. Se puder fazer isso com segurança, anote o que "
                "vê: quantos agentes, nomes ou números de distintivo, veículos e placas."
            ),
            sms_text=(
                "Nao abra a porta. Fale com a porta fechada. Peca que passem o mandado por "
                "baixo da porta. Um mandado do ICE (I-200 ou I-205) nao e assinado por um "
                "juiz. Se entrarem mesmo assim, nao resista; diga: Eu nao autorizo esta busca. "
                "Voce pode ficar calado. Nao assine nada. Ligue para a linha de ajuda."
            ),
            script=(
                "Pergunte: os agentes estão na sua porta agora? Diga: não abra a porta; fale "
                "através dela. Peça que passem o mandado por baixo da porta. Veja com a pessoa "
                "se é assinado por um juiz e indica um tribunal. Se entrarem, não resista; "
                'diga "Eu não autorizo esta busca". Fique calado; não assine nada.'
            ),
        ),
        "ht": SeedText(
            title="Devan pòt ou",
            body=(
                "Pa louvri pòt la. Ou ka pale ak ajan yo atravè pòt la ki fèmen.\n\n"
                "Mande yo ki moun yo ye ak poukisa yo la. Mande yo pase manda a anba pòt la "
                "oswa montre l nan yon fenèt.\n\n"
                "Yon manda yon jij siyen gen non yon tribinal sou li. Yon manda administratif "
                "ICE (fòm I-200 oswa I-205) se yon ofisye imigrasyon ki siyen l: avoka yo di "
                "li poukont li pa bay ajan yo dwa antre nan yon kay san pèmisyon ou. Sa a se "
                'yon kesyon tribinal yo ap diskite; gade "Ki sa yon manda ye".\n\n'
                'Si yo antre kanmenm, pa reziste. Di: "Mwen pa bay pèmisyon pou fouye a."\n\n'
                "Ou gen dwa rete an silans. Pa siyen anyen ou pa konprann. Pa bay manti epi pa "
                "montre fo papye.\n\n"
                "Rele liy èd la. Si ou ka fè l san danje, ekri sa ou wè: konbyen ajan, non yo "
                "oswa nimewo badj yo, machin ak plak yo."
            ),
            sms_text=(
                "Pa louvri pòt la. Pale atravè pòt la ki fèmen. Mande yo pase manda a anba pòt "
                "la. Yon manda ICE (I-200 oswa I-205) pa siyen pa yon jij. Si yo antre "
                "kanmenm, pa reziste; di: Mwen pa bay pèmisyon pou fouye a. Ou ka rete an "
                "silans. Pa siyen anyen. Rele liy èd la."
            ),
            script=(
                "Mande: èske ajan yo devan pòt ou kounye a? Di moun nan: pa louvri pòt la; "
                "pale atravè l. Mande yo pase manda a anba pòt la. Gade avèk moun nan si se "
                "yon jij ki siyen l e si li gen non yon tribinal. Si yo antre, pa reziste; di "
                '"Mwen pa bay pèmisyon pou fouye a". Rete an silans; pa siyen anyen.'
            ),
        ),
    },
)

STREET = SeedTopic(
    kind=TopicKind.ON_THE_STREET,
    slug="on-the-street",
    order=2,
    texts={
        "en": SeedText(
            title="On the street",
            body=(
                "Stay calm. Do not run and do not resist.\n\n"
                'You can ask: "Am I free to go?" If the answer is yes, walk away calmly.\n\n'
                'You have the right to remain silent. You can say: "I want to remain '
                'silent." You do not have to say where you were born or what your '
                "immigration status is.\n\n"
                'You do not have to agree to a search of your things. Say: "I do not '
                'consent to a search." Do not resist if they search anyway.\n\n'
                "Do not lie and do not show false papers. Do not sign anything.\n\n"
                "Keep the hotline number and a lawyer's number with you, written on paper."
            ),
            sms_text=(
                "Stay calm. Do not run. Ask: Am I free to go? If yes, walk away calmly. You can "
                "remain silent; you do not have to say where you were born. Say: I do not "
                "consent to a search. Do not resist. Do not lie, do not show false papers, do "
                "not sign anything."
            ),
            script=(
                'Tell the caller: stay calm, do not run. Ask the agents "Am I free to go?"; '
                "if yes, walk away calmly. You may stay silent and need not say where you were "
                'born. Say "I do not consent to a search" but do not resist. Sign nothing.'
            ),
        ),
        "es": SeedText(
            title="En la calle",
            body=(
                "Mantenga la calma. No corra y no se resista.\n\n"
                'Puede preguntar: "¿Me puedo ir?" Si le dicen que sí, aléjese con calma.\n\n'
                'Tiene derecho a guardar silencio. Puede decir: "Quiero guardar silencio." '
                "No tiene que decir dónde nació ni cuál es su estatus migratorio.\n\n"
                'No tiene que aceptar que revisen sus cosas. Diga: "No doy mi consentimiento '
                'para un registro." No se resista si registran de todos modos.\n\n'
                "No mienta y no muestre documentos falsos. No firme nada.\n\n"
                "Lleve con usted, escrito en papel, el número de la línea de ayuda y el de un "
                "abogado."
            ),
            sms_text=(
                "Mantenga la calma. No corra. Pregunte: Me puedo ir? Si dicen que si, alejese "
                "con calma. Puede guardar silencio; no tiene que decir donde nacio. Diga: No "
                "doy permiso para un registro. No se resista. No mienta, no muestre documentos "
                "falsos, no firme nada."
            ),
            script=(
                "Diga a la persona: mantenga la calma, no corra. Pregunte a los agentes "
                '"¿Me puedo ir?"; si dicen que sí, aléjese con calma. Puede guardar silencio '
                'y no tiene que decir dónde nació. Diga "No doy mi consentimiento para un '
                'registro" pero no se resista. No firme nada.'
            ),
        ),
        "pt": SeedText(
            title="Na rua",
            body=(
                "Mantenha a calma. Não corra e não resista.\n\n"
                'Você pode perguntar: "Estou livre para ir?" Se a resposta for sim, '
                "afaste-se com calma.\n\n"
                'Você tem o direito de ficar calado. Pode dizer: "Quero ficar calado." Você '
                "não precisa dizer onde nasceu nem qual é a sua situação imigratória.\n\n"
                'Você não precisa aceitar que revistem as suas coisas. Diga: "Eu não '
                'autorizo uma busca." Não resista se revistarem mesmo assim.\n\n'
                "Não minta e não mostre documentos falsos. Não assine nada.\n\n"
                "Leve com você, escrito em papel, o número da linha de ajuda e o de um "
                "advogado."
            ),
            sms_text=(
                "Mantenha a calma. Nao corra. Pergunte: Estou livre para ir? Se sim, afaste-se "
                "com calma. Voce pode ficar calado; nao precisa dizer onde nasceu. Diga: Eu "
                "nao autorizo uma busca. Nao resista. Nao minta, nao mostre documentos falsos, "
                "nao assine nada."
            ),
            script=(
                'Diga à pessoa: mantenha a calma, não corra. Pergunte aos agentes "Estou '
                'livre para ir?"; se sim, afaste-se com calma. Pode ficar calado e não '
                'precisa dizer onde nasceu. Diga "Eu não autorizo uma busca" mas não '
                "resista. Não assine nada."
            ),
        ),
        "ht": SeedText(
            title="Nan lari",
            body=(
                "Rete kalm. Pa kouri epi pa reziste.\n\n"
                'Ou ka mande: "Èske m ka ale?" Si yo di wi, ale ak kalm.\n\n'
                'Ou gen dwa rete an silans. Ou ka di: "Mwen vle rete an silans." Ou pa oblije '
                "di ki kote ou fèt ni ki estati imigrasyon ou.\n\n"
                'Ou pa oblije dakò pou yo fouye afè ou. Di: "Mwen pa bay pèmisyon pou yo '
                'fouye." Pa reziste si yo fouye kanmenm.\n\n'
                "Pa bay manti epi pa montre fo papye. Pa siyen anyen.\n\n"
                "Kenbe nimewo liy èd la ak nimewo yon avoka sou ou, ekri sou papye."
            ),
            sms_text=(
                "Rete kalm. Pa kouri. Mande: Eske m ka ale? Si yo di wi, ale ak kalm. Ou ka "
                "rete an silans; ou pa oblije di ki kote ou fèt. Di: Mwen pa bay pèmisyon pou "
                "yo fouye. Pa reziste. Pa bay manti, pa montre fo papye, pa siyen anyen."
            ),
            script=(
                'Di moun nan: rete kalm, pa kouri. Mande ajan yo "Èske m ka ale?"; si yo di '
                "wi, ale ak kalm. Li ka rete an silans e li pa oblije di ki kote li fèt. Di "
                '"Mwen pa bay pèmisyon pou yo fouye" men pa reziste. Pa siyen anyen.'
            ),
        ),
    },
)

WORK = SeedTopic(
    kind=TopicKind.AT_WORK,
    slug="at-work",
    order=3,
    texts={
        "en": SeedText(
            title="At work",
            body=(
                "Stay calm. Do not run: running can be used as a reason to stop you.\n\n"
                "You have the right to remain silent. You do not have to answer questions "
                "about where you were born or your immigration status.\n\n"
                "Lawyers advise that agents generally need a warrant signed by a judge, or the "
                "employer's permission, to enter areas of a workplace closed to the public. "
                "Do not block them or resist.\n\n"
                "Do not sign anything and do not show false papers. Ask to speak to a "
                "lawyer.\n\n"
                "Call the hotline. If it is safe, write down what happened: time, number of "
                "agents, who was taken."
            ),
            sms_text=(
                "Stay calm. Do not run. You can remain silent; you do not have to say where you "
                "were born or your status. Agents generally need a judge's warrant or the "
                "employer's permission to enter private areas. Do not resist. Do not sign "
                "anything. Ask for a lawyer. Call the hotline."
            ),
            script=(
                "Ask: are agents at the workplace now? How many, which agency? Tell the caller: "
                "stay calm, do not run, stay silent, sign nothing, ask for a lawyer. Do not "
                "block or resist the agents."
            ),
        ),
        "es": SeedText(
            title="En el trabajo",
            body=(
                "Mantenga la calma. No corra: correr puede usarse como razón para detenerle.\n\n"
                "Tiene derecho a guardar silencio. No tiene que contestar preguntas sobre "
                "dónde nació ni sobre su estatus migratorio.\n\n"
                "Los abogados aconsejan que, en general, los agentes necesitan una orden "
                "firmada por un juez, o el permiso del empleador, para entrar a las áreas del "
                "trabajo cerradas al público. No les bloquee el paso ni se resista.\n\n"
                "No firme nada y no muestre documentos falsos. Pida hablar con un abogado.\n\n"
                "Llame a la línea de ayuda. Si es seguro, anote lo que pasó: la hora, cuántos "
                "agentes, a quién se llevaron."
            ),
            sms_text=(
                "Mantenga la calma. No corra. Puede guardar silencio; no tiene que decir donde "
                "nacio ni su estatus. En general los agentes necesitan una orden de un juez o "
                "el permiso del empleador para entrar a areas privadas. No se resista. No firme "
                "nada. Pida un abogado. Llame a la linea de ayuda."
            ),
            script=(
                "Pregunte: ¿hay agentes en el trabajo ahora? ¿Cuántos, de qué agencia? Diga: "
                "mantenga la calma, no corra, guarde silencio, no firme nada, pida un abogado. "
                "No bloquee a los agentes ni se resista."
            ),
        ),
        "pt": SeedText(
            title="No trabalho",
            body=(
                "Mantenha a calma. Não corra: correr pode ser usado como motivo para abordar "
                "você.\n\n"
                "Você tem o direito de ficar calado. Não precisa responder perguntas sobre onde "
                "nasceu ou sobre a sua situação imigratória.\n\n"
                "Os advogados orientam que, em geral, os agentes precisam de um mandado "
                "assinado por um juiz, ou da permissão do empregador, para entrar nas áreas do "
                "trabalho fechadas ao público. Não bloqueie a passagem nem resista.\n\n"
                "Não assine nada e não mostre documentos falsos. Peça para falar com um "
                "advogado.\n\n"
                "Ligue para a linha de ajuda. Se for seguro, anote o que aconteceu: a hora, "
                "quantos agentes, quem foi levado."
            ),
            sms_text=(
                "Mantenha a calma. Nao corra. Voce pode ficar calado; nao precisa dizer onde "
                "nasceu nem a sua situacao. Em geral os agentes precisam de um mandado de um "
                "juiz ou da permissao do empregador para entrar em areas privadas. Nao "
                "resista. Nao assine nada. Peca um advogado. Ligue para a linha de ajuda."
            ),
            script=(
                "Pergunte: há agentes no trabalho agora? Quantos, de qual agência? Diga: "
                "mantenha a calma, não corra, fique calado, não assine nada, peça um advogado. "
                "Não bloqueie os agentes nem resista."
            ),
        ),
        "ht": SeedText(
            title="Nan travay",
            body=(
                "Rete kalm. Pa kouri: yo ka sèvi ak sa kòm rezon pou yo kanpe w.\n\n"
                "Ou gen dwa rete an silans. Ou pa oblije reponn kesyon sou ki kote ou fèt oswa "
                "sou estati imigrasyon ou.\n\n"
                "Avoka yo di, an jeneral, ajan yo bezwen yon manda yon jij siyen, oswa "
                "pèmisyon patwon an, pou yo antre nan pati travay la ki fèmen pou piblik la. "
                "Pa bloke yo epi pa reziste.\n\n"
                "Pa siyen anyen epi pa montre fo papye. Mande pale ak yon avoka.\n\n"
                "Rele liy èd la. Si li san danje, ekri sa ki te pase: lè a, konbyen ajan, ki "
                "moun yo te pran."
            ),
            sms_text=(
                "Rete kalm. Pa kouri. Ou ka rete an silans; ou pa oblije di ki kote ou fèt ni "
                "estati ou. An jeneral ajan yo bezwen yon manda yon jij oswa pèmisyon patwon an "
                "pou antre nan pati prive yo. Pa reziste. Pa siyen anyen. Mande yon avoka. "
                "Rele liy èd la."
            ),
            script=(
                "Mande: èske gen ajan nan travay la kounye a? Konbyen, ki ajans? Di moun nan: "
                "rete kalm, pa kouri, rete an silans, pa siyen anyen, mande yon avoka. Pa "
                "bloke ajan yo epi pa reziste."
            ),
        ),
    },
)

CAR = SeedTopic(
    kind=TopicKind.IN_A_CAR,
    slug="in-a-car",
    order=4,
    texts={
        "en": SeedText(
            title="In a car",
            body=(
                "If you are stopped, pull over where it is safe, turn off the engine and keep "
                "your hands where they can be seen.\n\n"
                "The driver must show a license, registration and proof of insurance when "
                "asked.\n\n"
                'You have the right to remain silent. Passengers can ask: "Am I free to '
                'go?" You do not have to say where you were born or your immigration '
                "status.\n\n"
                'You can refuse a search of the car: say "I do not consent to a search." '
                "If they search anyway, do not resist.\n\n"
                "Do not lie and do not show false papers. Do not sign anything.\n\n"
                "People have been picked up the day after a traffic stop. Call the hotline "
                "after any stop where immigration came up."
            ),
            sms_text=(
                "Pull over safely, turn off the engine, keep your hands visible. The driver "
                "shows license, registration and insurance when asked. You can remain silent. "
                "Say: I do not consent to a search; do not resist. Do not lie, do not sign "
                "anything. Call the hotline after the stop."
            ),
            script=(
                "Ask: is the car stopped now, by police or by ICE? Tell the caller: keep hands "
                "visible; the driver shows license, registration, insurance. Everyone may stay "
                'silent. Say "I do not consent to a search"; do not resist. Sign nothing.'
            ),
        ),
        "es": SeedText(
            title="En un carro",
            body=(
                "Si le detienen, estaciónese donde sea seguro, apague el motor y mantenga las "
                "manos a la vista.\n\n"
                "Quien maneja debe mostrar la licencia, el registro y el seguro si se lo "
                "piden.\n\n"
                'Tiene derecho a guardar silencio. Los pasajeros pueden preguntar: "¿Me puedo '
                'ir?" No tiene que decir dónde nació ni su estatus migratorio.\n\n'
                'Puede negarse a que registren el carro: diga "No doy mi consentimiento para '
                'un registro." Si registran de todos modos, no se resista.\n\n'
                "No mienta y no muestre documentos falsos. No firme nada.\n\n"
                "Ha habido personas detenidas al día siguiente de una parada de tránsito. Llame "
                "a la línea de ayuda después de cualquier parada en la que hablaron de "
                "inmigración."
            ),
            sms_text=(
                "Estacionese con cuidado, apague el motor, manos a la vista. Quien maneja "
                "muestra licencia, registro y seguro si se lo piden. Puede guardar silencio. "
                "Diga: No doy permiso para un registro; no se resista. No mienta, no firme "
                "nada. Llame a la linea de ayuda despues de la parada."
            ),
            script=(
                "Pregunte: ¿el carro está detenido ahora, por policía o por ICE? Diga: manos a "
                "la vista; quien maneja muestra licencia, registro, seguro. Todos pueden "
                'guardar silencio. Diga "No doy mi consentimiento para un registro"; no se '
                "resista. No firme nada."
            ),
        ),
        "pt": SeedText(
            title="No carro",
            body=(
                "Se for parado, encoste onde for seguro, desligue o motor e mantenha as mãos "
                "à vista.\n\n"
                "Quem dirige deve mostrar a carteira de motorista, o registro e o seguro "
                "quando pedirem.\n\n"
                'Você tem o direito de ficar calado. Os passageiros podem perguntar: "Estou '
                'livre para ir?" Você não precisa dizer onde nasceu nem a sua situação '
                "imigratória.\n\n"
                'Você pode recusar a busca no carro: diga "Eu não autorizo uma busca." Se '
                "revistarem mesmo assim, não resista.\n\n"
                "Não minta e não mostre documentos falsos. Não assine nada.\n\n"
                "Há pessoas que foram detidas no dia seguinte a uma parada de trânsito. Ligue "
                "para a linha de ajuda depois de qualquer parada em que falaram de imigração."
            ),
            sms_text=(
                "Encoste com seguranca, desligue o motor, maos a vista. Quem dirige mostra "
                "carteira, registro e seguro quando pedirem. Voce pode ficar calado. Diga: Eu "
                "nao autorizo uma busca; nao resista. Nao minta, nao assine nada. Ligue para a "
                "linha de ajuda depois da parada."
            ),
            script=(
                "Pergunte: o carro está parado agora, pela polícia ou pelo ICE? Diga: mãos à "
                "vista; quem dirige mostra carteira, registro, seguro. Todos podem ficar "
                'calados. Diga "Eu não autorizo uma busca"; não resista. Não assine nada.'
            ),
        ),
        "ht": SeedText(
            title="Nan yon machin",
            body=(
                "Si yo kanpe w, rale sou kote kote li san danje, etenn motè a epi kenbe men ou "
                "kote yo ka wè yo.\n\n"
                "Moun k ap kondui a dwe montre lisans, rejistrasyon ak asirans lè yo mande "
                "l.\n\n"
                'Ou gen dwa rete an silans. Pasaje yo ka mande: "Èske m ka ale?" Ou pa '
                "oblije di ki kote ou fèt ni estati imigrasyon ou.\n\n"
                'Ou ka refize yo fouye machin nan: di "Mwen pa bay pèmisyon pou yo fouye." '
                "Si yo fouye kanmenm, pa reziste.\n\n"
                "Pa bay manti epi pa montre fo papye. Pa siyen anyen.\n\n"
                "Gen moun yo te arete jou apre yon kontwòl sou wout. Rele liy èd la apre nenpòt "
                "kontwòl kote yo te pale de imigrasyon."
            ),
            sms_text=(
                "Rale sou kote san danje, etenn motè a, kenbe men ou vizib. Chofè a montre "
                "lisans, rejistrasyon ak asirans lè yo mande. Ou ka rete an silans. Di: Mwen pa "
                "bay pèmisyon pou yo fouye; pa reziste. Pa bay manti, pa siyen anyen. Rele liy "
                "èd la apre kontwòl la."
            ),
            script=(
                "Mande: èske machin nan kanpe kounye a, se lapolis oswa ICE? Di moun nan: kenbe "
                "men vizib; chofè a montre lisans, rejistrasyon, asirans. Tout moun ka rete an "
                'silans. Di "Mwen pa bay pèmisyon pou yo fouye"; pa reziste. Pa siyen anyen.'
            ),
        ),
    },
)

CHECK_IN = SeedTopic(
    kind=TopicKind.CHECK_IN_OR_COURT,
    slug="check-in-and-court",
    order=5,
    texts={
        "en": SeedText(
            title="At an ICE check-in or in court",
            body=(
                "Before an ICE check-in or an immigration court hearing, talk to a lawyer if "
                "you can. In immigration court there is no free public defender; the "
                "network's legal team can help you look for one.\n\n"
                "Go to your hearings. Missing a hearing can lead to a removal order made "
                "without you.\n\n"
                "Ask the network for someone to go with you. Make your family plan before you "
                "go: who cares for the children, where your papers are, and make sure your "
                "family knows your A-number and your lawyer's number.\n\n"
                "You have the right to remain silent about anything that is not your name. "
                "Do not sign any paper you do not understand: some papers give up your right "
                "to see a judge."
            ),
            sms_text=(
                "Before a check-in or court date, talk to a lawyer if you can. Go to every "
                "hearing: missing one can mean a removal order. Ask us for someone to go with "
                "you. Make a family plan; your family should know your A-number. Do not sign "
                "papers you do not understand."
            ),
            script=(
                "Ask: when is the check-in or hearing, and does the caller have a lawyer? Offer "
                "accompaniment and the legal team. Remind them: go to every hearing, make a "
                "family plan, sign nothing they do not understand."
            ),
        ),
        "es": SeedText(
            title="En una cita de ICE o en corte",
            body=(
                "Antes de una cita con ICE o de una audiencia en la corte de inmigración, "
                "hable con un abogado si puede. En la corte de inmigración no hay defensor "
                "público gratuito; el equipo legal de la red puede ayudarle a buscar uno.\n\n"
                "Vaya a sus audiencias. Faltar a una audiencia puede llevar a una orden de "
                "deportación dictada sin usted.\n\n"
                "Pida a la red que alguien le acompañe. Haga su plan familiar antes de ir: "
                "quién cuida a los niños, dónde están sus papeles, y asegúrese de que su "
                "familia sepa su número A y el número de su abogado.\n\n"
                "Tiene derecho a guardar silencio sobre todo lo que no sea su nombre. No firme "
                "ningún papel que no entienda: algunos papeles renuncian a su derecho de ver a "
                "un juez."
            ),
            sms_text=(
                "Antes de una cita o corte, hable con un abogado si puede. Vaya a cada "
                "audiencia: faltar puede traer una orden de deportacion. Pidanos que alguien "
                "le acompañe. Haga un plan familiar; su familia debe saber su numero A. No "
                "firme papeles que no entienda."
            ),
            script=(
                "Pregunte: ¿cuándo es la cita o audiencia, y tiene abogado? Ofrezca "
                "acompañamiento y el equipo legal. Recuerde: ir a cada audiencia, hacer un plan "
                "familiar, no firmar nada que no entienda."
            ),
        ),
        "pt": SeedText(
            title="No check-in do ICE ou no tribunal",
            body=(
                "Antes de um check-in do ICE ou de uma audiência no tribunal de imigração, "
                "fale com um advogado se puder. No tribunal de imigração não há defensor "
                "público gratuito; a equipe jurídica da rede pode ajudar a procurar um.\n\n"
                "Vá às suas audiências. Faltar a uma audiência pode levar a uma ordem de "
                "deportação dada sem você.\n\n"
                "Peça à rede alguém para acompanhar você. Faça o seu plano familiar antes de "
                "ir: quem cuida das crianças, onde estão os seus documentos, e confirme que a "
                "sua família sabe o seu número A e o número do seu advogado.\n\n"
                "Você tem o direito de ficar calado sobre tudo o que não for o seu nome. Não "
                "assine nenhum papel que não entenda: alguns papéis abrem mão do seu direito "
                "de ver um juiz."
            ),
            sms_text=(
                "Antes de um check-in ou tribunal, fale com um advogado se puder. Va a todas "
                "as audiencias: faltar pode trazer uma ordem de deportacao. Peca-nos alguem "
                "para ir com voce. Faca um plano familiar; sua familia deve saber o seu numero "
                "A. Nao assine papeis que nao entenda."
            ),
            script=(
                "Pergunte: quando é o check-in ou a audiência, e a pessoa tem advogado? "
                "Ofereça acompanhamento e a equipe jurídica. Lembre: ir a todas as audiências, "
                "fazer um plano familiar, não assinar nada que não entenda."
            ),
        ),
        "ht": SeedText(
            title="Nan randevou ICE oswa nan tribinal",
            body=(
                "Anvan yon randevou ak ICE oswa yon odyans nan tribinal imigrasyon, pale ak yon "
                "avoka si ou kapab. Nan tribinal imigrasyon pa gen avoka gratis leta bay; ekip "
                "legal rezo a ka ede w chèche youn.\n\n"
                "Ale nan tout odyans ou. Si ou rate yon odyans, jij la ka bay yon lòd depòtasyon "
                "san ou pa la.\n\n"
                "Mande rezo a pou yon moun ale avè w. Fè plan fanmi ou anvan ou ale: ki moun ki "
                "pran swen timoun yo, ki kote papye ou yo ye, epi asire w fanmi ou konnen "
                "nimewo A ou ak nimewo avoka ou.\n\n"
                "Ou gen dwa rete an silans sou tout bagay ki pa non ou. Pa siyen okenn papye ou "
                "pa konprann: gen papye ki fè w bay dwa ou pou wè yon jij."
            ),
            sms_text=(
                "Anvan yon randevou oswa tribinal, pale ak yon avoka si ou kapab. Ale nan tout "
                "odyans: si ou rate youn, ou ka jwenn yon lòd depòtasyon. Mande nou pou yon moun "
                "ale avè w. Fè yon plan fanmi; fanmi ou dwe konnen nimewo A ou. Pa siyen papye "
                "ou pa konprann."
            ),
            script=(
                "Mande: ki lè randevou a oswa odyans lan, e èske moun nan gen avoka? Ofri "
                "akonpayman ak ekip legal la. Raple: ale nan tout odyans, fè yon plan fanmi, pa "
                "siyen anyen li pa konprann."
            ),
        ),
    },
)

DETAINED = SeedTopic(
    kind=TopicKind.IF_DETAINED,
    slug="if-detained",
    order=6,
    texts={
        "en": SeedText(
            title="If you are detained",
            body=(
                "Stay calm and do not resist.\n\n"
                'Say: "I want to remain silent. I want to speak to a lawyer."\n\n'
                "Do not sign anything before you speak to a lawyer, above all papers about "
                "leaving the country.\n\n"
                "Know by heart the phone number of a family member and of the hotline.\n\n"
                "Your family can look for you with the ICE Online Detainee Locator, using "
                "your A-number and country of birth. Connecticut has no ICE detention "
                "facility: people arrested there often pass through the Hartford office and "
                "are moved to jails in other states.\n\n"
                "You may be able to ask for a bond hearing. Talk to a lawyer; the network's "
                "legal team can help."
            ),
            sms_text=(
                "Stay calm, do not resist. Say: I want to remain silent. I want to speak to a "
                "lawyer. Do not sign anything before you speak to a lawyer. Know by heart a "
                "family number and the hotline. Your family can find you with the ICE "
                "Detainee Locator using your A-number."
            ),
            script=(
                "Ask: who was taken, when and where? (Take details for the legal team; never "
                "text them.) Tell the family: the person should stay silent, ask for a lawyer, "
                "sign nothing. The legal team will try to locate them with the A-number."
            ),
        ),
        "es": SeedText(
            title="Si le detienen",
            body=(
                "Mantenga la calma y no se resista.\n\n"
                'Diga: "Quiero guardar silencio. Quiero hablar con un abogado."\n\n'
                "No firme nada antes de hablar con un abogado, sobre todo papeles sobre salir "
                "del país.\n\n"
                "Apréndase de memoria el teléfono de un familiar y el de la línea de ayuda.\n\n"
                "Su familia puede buscarle con el localizador de detenidos de ICE (Online "
                "Detainee Locator), con su número A y su país de nacimiento. Connecticut no "
                "tiene un centro de detención de ICE: las personas arrestadas allí suelen "
                "pasar por la oficina de Hartford y son trasladadas a cárceles de otros "
                "estados.\n\n"
                "Es posible que pueda pedir una audiencia de fianza. Hable con un abogado; el "
                "equipo legal de la red puede ayudar."
            ),
            sms_text=(
                "Mantenga la calma, no se resista. Diga: Quiero guardar silencio. Quiero hablar "
                "con un abogado. No firme nada antes de hablar con un abogado. Sepa de memoria "
                "un numero de su familia y el de la linea de ayuda. Su familia puede buscarle "
                "con el localizador de ICE usando su numero A."
            ),
            script=(
                "Pregunte: ¿a quién se llevaron, cuándo y dónde? (Tome los datos para el equipo "
                "legal; nunca por texto.) Diga a la familia: la persona debe guardar silencio, "
                "pedir un abogado, no firmar nada. El equipo legal tratará de ubicarla con el "
                "número A."
            ),
        ),
        "pt": SeedText(
            title="Se for detido",
            body=(
                "Mantenha a calma e não resista.\n\n"
                'Diga: "Quero ficar calado. Quero falar com um advogado."\n\n'
                "Não assine nada antes de falar com um advogado, principalmente papéis sobre "
                "sair do país.\n\n"
                "Saiba de cor o telefone de um familiar e o da linha de ajuda.\n\n"
                "A sua família pode procurar você no localizador de detidos do ICE (Online "
                "Detainee Locator), com o seu número A e o país de nascimento. Connecticut não "
                "tem centro de detenção do ICE: as pessoas presas lá costumam passar pelo "
                "escritório de Hartford e são levadas para prisões de outros estados.\n\n"
                "Talvez você possa pedir uma audiência de fiança. Fale com um advogado; a "
                "equipe jurídica da rede pode ajudar."
            ),
            sms_text=(
                "Mantenha a calma, nao resista. Diga: Quero ficar calado. Quero falar com um "
                "advogado. Nao assine nada antes de falar com um advogado. Saiba de cor um "
                "numero da familia e o da linha de ajuda. Sua familia pode achar voce no "
                "localizador do ICE com o seu numero A."
            ),
            script=(
                "Pergunte: quem foi levado, quando e onde? (Anote os dados para a equipe "
                "jurídica; nunca por mensagem.) Diga à família: a pessoa deve ficar calada, "
                "pedir um advogado, não assinar nada. A equipe jurídica tentará localizá-la "
                "com o número A."
            ),
        ),
        "ht": SeedText(
            title="Si yo arete w",
            body=(
                "Rete kalm epi pa reziste.\n\n"
                'Di: "Mwen vle rete an silans. Mwen vle pale ak yon avoka."\n\n'
                "Pa siyen anyen anvan ou pale ak yon avoka, sitou papye sou kite peyi a.\n\n"
                "Konnen pa kè nimewo telefòn yon moun nan fanmi ou ak nimewo liy èd la.\n\n"
                "Fanmi ou ka chèche w ak zouti ICE pou jwenn moun ki nan detansyon (Online "
                "Detainee Locator), avèk nimewo A ou ak peyi kote ou fèt. Pa gen sant detansyon "
                "ICE nan Connecticut: moun yo arete la souvan pase nan biwo Hartford la epi yo "
                "voye yo nan prizon nan lòt eta.\n\n"
                "Petèt ou ka mande yon odyans kosyon. Pale ak yon avoka; ekip legal rezo a ka "
                "ede."
            ),
            sms_text=(
                "Rete kalm, pa reziste. Di: Mwen vle rete an silans. Mwen vle pale ak yon "
                "avoka. Pa siyen anyen anvan ou pale ak yon avoka. Konnen pa kè yon nimewo "
                "fanmi ak nimewo liy èd la. Fanmi ou ka jwenn ou ak zouti ICE la avèk nimewo A "
                "ou."
            ),
            script=(
                "Mande: ki moun yo te pran, ki lè, ki kote? (Pran detay yo pou ekip legal la; "
                "janm pa tèks.) Di fanmi an: moun nan dwe rete an silans, mande yon avoka, pa "
                "siyen anyen. Ekip legal la ap eseye jwenn li ak nimewo A a."
            ),
        ),
    },
)

WARRANTS = SeedTopic(
    kind=TopicKind.WARRANTS,
    slug="warrants",
    order=7,
    texts={
        "en": SeedText(
            title="Warrants explained",
            body=(
                "There are two kinds of warrant.\n\n"
                "An administrative warrant (ICE form I-200 or I-205) is signed by an "
                "immigration officer, not by a judge. Lawyers advise that it does not by "
                "itself allow agents to enter a home without consent. What it allows is "
                "contested in the courts and may change: check the date this page was "
                "reviewed.\n\n"
                "A judicial warrant is issued by a court: it names the court and is signed by "
                "a judge. A search warrant signed by a judge allows agents to enter and search "
                "the places it names.\n\n"
                "Ask for the warrant to be passed under the door or held to a window. Do not "
                "open the door to look at it. Check: is it signed by a judge? Are your name "
                "and address right? What date is on it?\n\n"
                "If they enter with a judge's warrant, or without one, do not resist. Stay "
                "silent, sign nothing, and ask to speak to a lawyer."
            ),
            sms_text=(
                "ICE warrants (I-200, I-205) are signed by an immigration officer, not a judge; "
                "lawyers advise they do not by themselves allow entry into a home. A judicial "
                "warrant names a court and is signed by a judge. Ask for it under the door; do "
                "not open. Check the signature, name and address. Never resist."
            ),
            script=(
                "Ask the caller to read the warrant: who signed it (a judge or an officer)? "
                "Does it name a court? Is it form I-200 or I-205? Name and address right? Do "
                "not open the door to check; never resist."
            ),
        ),
        "es": SeedText(
            title="Tipos de orden (warrant)",
            body=(
                "Hay dos tipos de orden.\n\n"
                "Una orden administrativa (formulario I-200 o I-205 de ICE) la firma un "
                "oficial de inmigración, no un juez. Los abogados aconsejan que por sí sola no "
                "permite a los agentes entrar a una casa sin permiso. Lo que permite se "
                "disputa en los tribunales y puede cambiar: revise la fecha en que se revisó "
                "esta página.\n\n"
                "Una orden judicial la emite un tribunal: nombra el tribunal y la firma un "
                "juez. Una orden de registro firmada por un juez permite a los agentes entrar "
                "y registrar los lugares que nombra.\n\n"
                "Pida que pasen la orden por debajo de la puerta o que la muestren por una "
                "ventana. No abra la puerta para verla. Revise: ¿la firma un juez? ¿Su nombre "
                "y dirección están bien? ¿Qué fecha tiene?\n\n"
                "Si entran con una orden de un juez, o sin ella, no se resista. Guarde "
                "silencio, no firme nada y pida hablar con un abogado."
            ),
            sms_text=(
                "Las ordenes de ICE (I-200, I-205) las firma un oficial de inmigracion, no un "
                "juez; los abogados dicen que por si solas no permiten entrar a una casa. Una "
                "orden judicial nombra un tribunal y la firma un juez. Pida que la pasen bajo "
                "la puerta; no abra. Revise firma, nombre y direccion. Nunca se resista."
            ),
            script=(
                "Pida a la persona que lea la orden: ¿quién la firma (un juez o un oficial)? "
                "¿Nombra un tribunal? ¿Es el formulario I-200 o I-205? ¿Nombre y dirección "
                "correctos? No abra la puerta para revisarla; nunca se resista."
            ),
        ),
        "pt": SeedText(
            title="Mandados explicados",
            body=(
                "Há dois tipos de mandado.\n\n"
                "Um mandado administrativo (formulário I-200 ou I-205 do ICE) é assinado por "
                "um oficial de imigração, não por um juiz. Os advogados orientam que, sozinho, "
                "ele não permite que os agentes entrem numa casa sem permissão. O que ele "
                "permite é contestado nos tribunais e pode mudar: veja a data em que esta "
                "página foi revisada.\n\n"
                "Um mandado judicial é emitido por um tribunal: indica o tribunal e é assinado "
                "por um juiz. Um mandado de busca assinado por um juiz permite que os agentes "
                "entrem e revistem os lugares que ele indica.\n\n"
                "Peça que passem o mandado por baixo da porta ou que o mostrem pela janela. "
                "Não abra a porta para ver. Confira: é assinado por um juiz? O seu nome e "
                "endereço estão certos? Qual é a data?\n\n"
                "Se entrarem com um mandado de um juiz, ou sem ele, não resista. Fique calado, "
                "não assine nada e peça para falar com um advogado."
            ),
            sms_text=(
                "Mandados do ICE (I-200, I-205) sao assinados por um oficial de imigracao, nao "
                "por um juiz; advogados dizem que sozinhos nao permitem entrar numa casa. Um "
                "mandado judicial indica um tribunal e e assinado por um juiz. Peca que passem "
                "por baixo da porta; nao abra. Confira assinatura, nome e endereco. Nunca "
                "resista."
            ),
            script=(
                "Peça à pessoa que leia o mandado: quem assinou (um juiz ou um oficial)? "
                "Indica um tribunal? É o formulário I-200 ou I-205? Nome e endereço certos? "
                "Não abra a porta para conferir; nunca resista."
            ),
        ),
        "ht": SeedText(
            title="Ki sa yon manda ye",
            body=(
                "Gen de kalite manda.\n\n"
                "Yon manda administratif (fòm ICE I-200 oswa I-205) se yon ofisye imigrasyon "
                "ki siyen l, se pa yon jij. Avoka yo di li poukont li pa bay ajan yo dwa antre "
                "nan yon kay san pèmisyon. Sa li pèmèt se yon kesyon tribinal yo ap diskite, e "
                "sa ka chanje: gade dat yo te revize paj sa a.\n\n"
                "Yon manda jidisyè soti nan yon tribinal: li gen non tribinal la e se yon jij "
                "ki siyen l. Yon manda pou fouye yon jij siyen pèmèt ajan yo antre e fouye "
                "kote li nonmen yo.\n\n"
                "Mande yo pase manda a anba pòt la oswa montre l nan yon fenèt. Pa louvri pòt "
                "la pou w gade l. Verifye: èske se yon jij ki siyen l? Èske non ou ak adrès ou "
                "kòrèk? Ki dat ki sou li?\n\n"
                "Si yo antre ak yon manda yon jij, oswa san youn, pa reziste. Rete an silans, "
                "pa siyen anyen, epi mande pale ak yon avoka."
            ),
            sms_text=(
                "Manda ICE (I-200, I-205) se yon ofisye imigrasyon ki siyen yo, se pa yon jij; "
                "avoka yo di poukont yo yo pa bay dwa antre nan yon kay. Yon manda jidisyè gen "
                "non yon tribinal e se yon jij ki siyen l. Mande yo pase l anba pòt la; pa "
                "louvri. Verifye siyati, non ak adrès. Pa janm reziste."
            ),
            script=(
                "Mande moun nan li manda a: ki moun ki siyen l (yon jij oswa yon ofisye)? Èske "
                "li gen non yon tribinal? Èske se fòm I-200 oswa I-205? Non ak adrès kòrèk? Pa "
                "louvri pòt la pou verifye; pa janm reziste."
            ),
        ),
    },
)

LOCAL = SeedTopic(
    kind=TopicKind.LOCAL_PROTECTIONS,
    slug="connecticut-trust-act",
    order=8,
    texts={
        "en": SeedText(
            title="Connecticut protections (Trust Act)",
            body=(
                "The Connecticut Trust Act (2013, expanded in 2019, amended in 2025) limits "
                "when state and local police and jails may help ICE.\n\n"
                'They hold a person for ICE (an "ICE detainer") only if there is a warrant '
                "signed by a judge, a conviction for a serious (class A or B) felony, or a "
                "watch-list match.\n\n"
                "Since 1 October 2025 people can sue over violations of the Act.\n\n"
                "If you see local police helping ICE, tell the hotline: write down the date, "
                "the place, the police department and what happened. The network documents it "
                "for legal follow-up."
            ),
            sms_text=(
                "Connecticut Trust Act: state and local police hold someone for ICE only with "
                "a judge's warrant, a serious (class A or B) felony conviction or a watch-list "
                "match. Since 1 Oct 2025 people can sue over violations. Seen local police "
                "helping ICE? Tell the hotline: date, place, department."
            ),
            script=(
                "If the caller says local police are helping ICE: ask for the date, place, "
                "police department, and what was said or done. Note it for the legal team "
                "(Trust Act follow-up). Do not promise any outcome."
            ),
        ),
        "es": SeedText(
            title="Protecciones en Connecticut",
            body=(
                "La Ley de Confianza de Connecticut (Trust Act: 2013, ampliada en 2019, "
                "reformada en 2025) limita cuándo la policía estatal y local y las cárceles "
                "pueden ayudar a ICE.\n\n"
                'Solo retienen a una persona para ICE (una "orden de retención" o detainer) '
                "si hay una orden firmada por un juez, una condena por un delito grave de "
                "clase A o B, o una coincidencia con una lista de vigilancia.\n\n"
                "Desde el 1 de octubre de 2025 las personas pueden demandar por violaciones "
                "de la ley.\n\n"
                "Si ve a la policía local ayudando a ICE, avise a la línea de ayuda: anote la "
                "fecha, el lugar, el departamento de policía y lo que pasó. La red lo "
                "documenta para el seguimiento legal."
            ),
            sms_text=(
                "Ley Trust Act de Connecticut: la policia estatal y local retiene a alguien "
                "para ICE solo con orden de un juez, una condena por delito grave clase A o B "
                "o una lista de vigilancia. Desde el 1 oct 2025 se puede demandar por "
                "violaciones. Vio a la policia local ayudar a ICE? Avise: fecha, lugar, "
                "departamento."
            ),
            script=(
                "Si la persona dice que la policía local ayuda a ICE: pregunte fecha, lugar, "
                "departamento de policía y qué se dijo o hizo. Anótelo para el equipo legal "
                "(seguimiento de la Trust Act). No prometa ningún resultado."
            ),
        ),
        "pt": SeedText(
            title="Leis de Connecticut (Trust Act)",
            body=(
                "A Lei de Confiança de Connecticut (Trust Act: 2013, ampliada em 2019, "
                "alterada em 2025) limita quando a polícia estadual e local e as prisões "
                "podem ajudar o ICE.\n\n"
                "Elas só retêm uma pessoa para o ICE (um pedido de detenção, detainer) se "
                "houver um mandado assinado por um juiz, uma condenação por crime grave de "
                "classe A ou B, ou uma correspondência com uma lista de vigilância.\n\n"
                "Desde 1 de outubro de 2025 as pessoas podem processar por violações da "
                "lei.\n\n"
                "Se você vir a polícia local ajudando o ICE, avise a linha de ajuda: anote a "
                "data, o lugar, o departamento de polícia e o que aconteceu. A rede documenta "
                "isso para o acompanhamento jurídico."
            ),
            sms_text=(
                "Trust Act de Connecticut: a policia estadual e local so retem alguem para o "
                "ICE com mandado de um juiz, condenacao por crime grave classe A ou B ou lista "
                "de vigilancia. Desde 1 out 2025 pode-se processar por violacoes. Viu a "
                "policia local ajudar o ICE? Avise: data, lugar, departamento."
            ),
            script=(
                "Se a pessoa disser que a polícia local ajuda o ICE: pergunte data, lugar, "
                "departamento de polícia e o que foi dito ou feito. Anote para a equipe "
                "jurídica (acompanhamento da Trust Act). Não prometa nenhum resultado."
            ),
        ),
        "ht": SeedText(
            title="Pwoteksyon nan Connecticut",
            body=(
                "Lwa Trust Act Connecticut la (2013, elaji an 2019, amande an 2025) limite lè "
                "lapolis eta a ak lapolis lokal ak prizon yo ka ede ICE.\n\n"
                'Yo kenbe yon moun pou ICE (yon "detainer") sèlman si gen yon manda yon jij '
                "siyen, yon kondanasyon pou yon krim grav (klas A oswa B), oswa non moun nan "
                "sou yon lis siveyans.\n\n"
                "Depi 1 oktòb 2025 moun ka fè pwosè pou vyolasyon lwa a.\n\n"
                "Si ou wè lapolis lokal ap ede ICE, di liy èd la: ekri dat la, kote a, "
                "depatman lapolis la ak sa ki te pase. Rezo a anrejistre sa pou swivi legal."
            ),
            sms_text=(
                "Trust Act Connecticut: lapolis eta ak lapolis lokal kenbe yon moun pou ICE "
                "sèlman ak manda yon jij, yon kondanasyon pou krim grav klas A oswa B, oswa yon "
                "lis siveyans. Depi 1 okt 2025 moun ka fè pwosè pou vyolasyon. Ou wè lapolis "
                "lokal ede ICE? Di nou: dat, kote, depatman."
            ),
            script=(
                "Si moun nan di lapolis lokal ap ede ICE: mande dat, kote, depatman lapolis "
                "ak sa yo te di oswa fè. Ekri l pou ekip legal la (swivi Trust Act). Pa pwomèt "
                "okenn rezilta."
            ),
        ),
    },
)

SEED_TOPICS: tuple[SeedTopic, ...] = (DOOR, STREET, WORK, CAR, CHECK_IN, DETAINED, WARRANTS, LOCAL)

# The red card: the statement to hand through a door or window, in English for the
# agents, with the same words in the holder's language and how to use the card.
CARD_STATEMENT_EN = (
    "I do not wish to speak with you. I am using my right to remain silent.",
    "I do not consent to a search of me, my things, my car or my home.",
    "I will not open the door unless you show me a warrant signed by a judge. "
    "Please pass it under the door.",
    "I want to speak with a lawyer. I will not sign anything without a lawyer.",
)


@dataclass(frozen=True)
class CardText:
    heading: str
    how_to_use: str
    statement: tuple[str, str, str, str]
    for_the_agent: str
    scan: str
    not_advice: str


CARD_TEXTS: dict[str, CardText] = {
    "en": CardText(
        heading="Know your rights",
        how_to_use="Pass this card under the door or show it at the window. Do not open the door.",
        statement=CARD_STATEMENT_EN,
        for_the_agent="To the agent:",
        scan="Scan for more about your rights:",
        not_advice="General information, not legal advice. Needs legal review.",
    ),
    "es": CardText(
        heading="Conozca sus derechos",
        how_to_use=(
            "Pase esta tarjeta por debajo de la puerta o muéstrela por la ventana. "
            "No abra la puerta."
        ),
        statement=(
            "No deseo hablar con usted. Uso mi derecho a guardar silencio.",
            "No doy mi consentimiento para que me registren a mí, mis cosas, mi carro o mi casa.",
            "No abriré la puerta a menos que me muestre una orden firmada por un juez. "
            "Pásela por debajo de la puerta.",
            "Quiero hablar con un abogado. No firmaré nada sin un abogado.",
        ),
        for_the_agent="Para el agente (en inglés):",
        scan="Escanee para saber más sobre sus derechos:",
        not_advice="Información general, no es asesoría legal. Pendiente de revisión legal.",
    ),
    "pt": CardText(
        heading="Conheça os seus direitos",
        how_to_use=(
            "Passe este cartão por baixo da porta ou mostre-o pela janela. Não abra a porta."
        ),
        statement=(
            "Não quero falar com você. Uso o meu direito de ficar calado.",
            "Eu não autorizo busca em mim, nas minhas coisas, no meu carro ou na minha casa.",
            "Não vou abrir a porta a menos que me mostre um mandado assinado por um juiz. "
            "Passe-o por baixo da porta.",
            "Quero falar com um advogado. Não vou assinar nada sem um advogado.",
        ),
        for_the_agent="Para o agente (em inglês):",
        scan="Escaneie para saber mais sobre os seus direitos:",
        not_advice="Informação geral, não é orientação jurídica. Aguarda revisão jurídica.",
    ),
    "ht": CardText(
        heading="Konnen dwa ou",
        how_to_use="Pase kat sa a anba pòt la oswa montre l nan fenèt la. Pa louvri pòt la.",
        statement=(
            "Mwen pa vle pale avè w. Mwen sèvi ak dwa m pou m rete an silans.",
            "Mwen pa bay pèmisyon pou yo fouye m, afè m, machin mwen oswa kay mwen.",
            "Mwen p ap louvri pòt la si ou pa montre m yon manda yon jij siyen. "
            "Tanpri pase l anba pòt la.",
            "Mwen vle pale ak yon avoka. Mwen p ap siyen anyen san yon avoka.",
        ),
        for_the_agent="Pou ajan an (an angle):",
        scan="Eskane pou konnen plis sou dwa ou:",
        not_advice="Enfòmasyon jeneral, se pa konsèy legal. Bezwen revizyon legal.",
    ),
}
